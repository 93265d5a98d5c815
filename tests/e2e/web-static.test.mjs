// The web client's source, checked without a browser or a server (scripts/e2e-static-check.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWeb } from '../../scripts/e2e-static-check.mjs';

test('the web client keeps to the CSP, loads nothing from elsewhere, and has both languages', () => {
  assert.deepEqual(checkWeb(), []);
});
