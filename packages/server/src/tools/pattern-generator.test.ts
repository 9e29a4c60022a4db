import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_GENERATED_LENGTH, generateFromPattern } from './pattern-generator.ts';

test('generated values match their pattern', () => {
  const patterns = [
    '[a-z0-9]{15}',
    '[a-zA-Z0-9]{50}',
    '^[a-z]+$',
    'inv-\\d{4}',
    '\\w{2,5}',
    'ab?c*d+',
    '(red|green|blue)-[0-9]{2}',
    '(?:ab){3}',
    '(?P<year>\\d{4})-(?<m>\\d{2})',
    '[[:alpha:][:digit:]_]{8}',
    '[^a-z]{6}',
    '.{10}',
    '\\.\\+x{2,}',
    '[\\d\\-]{5}',
    '\\x41\\u00e9\\u{1F600}',
    '[é-ë]{3}',
    '\\Aabc\\z',
    'a{3,}?',
  ];
  for (const p of patterns) {
    const re = new RegExp(`^(?:${p.replace('(?P<', '(?<').replace('[[:alpha:][:digit:]_]', '[A-Za-z0-9_]').replace('\\A', '').replace('\\z', '')})$`, 'u');
    for (let i = 0; i < 20; i++) {
      const v = generateFromPattern(p);
      assert.match(v, re, `${p} → ${JSON.stringify(v)}`);
    }
  }
});

test('the default id and tokenKey patterns have exact lengths', () => {
  assert.match(generateFromPattern('[a-z0-9]{15}'), /^[a-z0-9]{15}$/);
  assert.match(generateFromPattern('[a-zA-Z0-9]{50}'), /^[a-zA-Z0-9]{50}$/);
  assert.notEqual(generateFromPattern('[a-z0-9]{15}'), generateFromPattern('[a-z0-9]{15}'));
});

test('a brace that is not a quantifier is a literal, as in RE2', () => {
  assert.equal(generateFromPattern('{x}'), '{x}');
  assert.equal(generateFromPattern('a{,2}'), 'a{,2}');
});

test('flag groups and anchors are ignored', () => {
  assert.equal(generateFromPattern('(?i)^abc$'), 'abc');
  assert.equal(generateFromPattern('(?i:x)y'), 'xy');
  assert.equal(generateFromPattern(''), '');
});

test('unsupported or unbounded patterns throw TypeError', () => {
  const bad = ['a^', 'a$b', '(a$)b', '(^a)+', 'x(^b)', '[\\A]', 'a\\1', '(?=a)b', '(?!a)b', '(?<=a)b', '\\b', '\\D', '[a', '(a', 'a)', '*a', '+', 'a{3,1}', 'a{2}{3}', 'x{100000}', '[z-a]', '\\', '[^\\x00-\\x7F]', '[[:^alpha:]]'];
  for (const p of bad) assert.throws(() => generateFromPattern(p), TypeError, p);
  assert.throws(() => generateFromPattern('(x{10000}){20}'), { name: 'TypeError', message: new RegExp(`longer than ${MAX_GENERATED_LENGTH}`) });
  assert.throws(() => generateFromPattern(5 as never), TypeError);
});

test('property: never throws anything but TypeError', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...'ab[]-^\\dw{}0123,()|?*+.:$'.split('')), maxLength: 20 }), (p) => {
      try {
        const v = generateFromPattern(p);
        assert.equal(typeof v, 'string');
      } catch (err) {
        assert.ok(err instanceof TypeError, `${JSON.stringify(p)}: ${String(err)}`);
      }
    }),
    { numRuns: 3000 },
  );
});

test('property: output of a generatable pattern matches it as a JavaScript regex', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...'ab[]-^\\dw{}0123,()|?*+'.split('')), maxLength: 16 }), (p) => {
      let v: string;
      try {
        v = generateFromPattern(p);
      } catch {
        return;
      }
      // In RE2 a "]" right after "[" or "[^" is a literal; in JavaScript "[]" is an empty class.
      if (p.includes('[]') || p.includes('[^]')) return;
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${p})$`, 'u');
      } catch {
        return; // JavaScript rejects some patterns RE2 accepts (e.g. a lone "{").
      }
      assert.match(v, re, `${JSON.stringify(p)} → ${JSON.stringify(v)}`);
    }),
    { numRuns: 3000 },
  );
});
