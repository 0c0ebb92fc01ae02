/**
 * The root vitest config's global setup: runs once per test run, before any test file.
 */
import type { TestProject } from 'vitest/node';
import { setupServices } from './services';

export default function setup(project: TestProject): void {
  setupServices(project);
}
