import { afterAll } from 'vitest';
import { removeTempDirs } from '../temp-dirs.js';

// A setup file runs in every test file's own module graph, so this hook sees
// the folders that file's tests made and nothing of the others.
afterAll(removeTempDirs);
