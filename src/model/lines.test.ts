import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineIndex, lineOfOffset } from './lines.js';

test('LineIndex agrees with a plain count for any text and any order of questions', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', '\n', 'bc', '\n\n', 'x'.repeat(300), '\n'.repeat(600)), { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 20 }), (parts, asks) => {
      const text = parts.join('');
      const index = new LineIndex(text);
      for (const a of asks) {
        const offset = text.length === 0 ? 0 : a % (text.length + 1);
        assert.equal(index.lineAt(offset), lineOfOffset(text, offset));
      }
    }),
  );
});
