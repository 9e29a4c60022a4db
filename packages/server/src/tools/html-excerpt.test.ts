import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { excerpt } from './html-excerpt.ts';

describe('excerpt', () => {
  const table: Array<[string, string, number, boolean, string]> = [
    ['plain text is kept', 'Hello world', 100, false, 'Hello world'],
    ['inline tags vanish', '<p>Hello <b>big</b> <a href="/x">world</a></p>', 100, false, 'Hello big world'],
    ['block tags become a space', '<h1>Title</h1><p>One</p><div>Two</div><li>Three</li>', 100, false, 'Title One Two Three'],
    ['br becomes a space', 'a<br>b<br/>c', 100, false, 'a b c'],
    ['inline tags join words', 'un<em>believ</em>able', 100, false, 'unbelievable'],
    ['whitespace collapses and is trimmed', '  \n\t<p>  a \n\n b  </p>  ', 100, false, 'a b'],
    ['head and its title are dropped', '<html><head><title>T</title><meta charset="utf-8"></head><body>Body</body></html>', 100, false, 'Body'],
    ['script content is dropped, even with tags inside', 'a<script>if (x < 1) document.write("</p>b")</script>c', 100, false, 'ac'],
    ['style content is dropped', '<style>p { color: red }</style>text', 100, false, 'text'],
    ['raw-text end tags match case-insensitively', '<SCRIPT>x</ScRiPt >after', 100, false, 'after'],
    ['svg with nested markup is dropped', 'a<svg><g><text>label</text></g></svg>b', 100, false, 'ab'],
    ['nested dropped elements of the same name', 'a<object><object>x</object>y</object>b', 100, false, 'ab'],
    ['form with inputs and buttons', 'a <form>f<input value="x>y"><button>Go</button><select><option>1</option></select></form> c', 100, false, 'a c'],
    ['void dropped elements do not swallow text', 'a<img src="x.png" alt="pic">b<input>c<embed src=x>d', 100, false, 'abcd'],
    ['self-closing dropped element', 'a<svg/>b', 100, false, 'ab'],
    ['iframe, template, dialog, picture, textarea, applet', '1<iframe>x</iframe>2<template>x</template>3<dialog>x</dialog>4<picture>x</picture>5<textarea><b>x</b></textarea>6<applet>x</applet>7', 100, false, '1234567'],
    ['comments vanish', 'a<!-- hidden <b>x</b> -->b<!-->c<!--->d', 100, false, 'abcd'],
    ['doctype and CDATA vanish', '<!DOCTYPE html><![CDATA[x]]>text<?xml version="1.0"?>', 100, false, 'text'],
    ['quoted > in attributes', '<a title="1 > 0" data-x=\'>\'>link</a>', 100, false, 'link'],
    ['stray < is text', 'a < b and 1<2', 100, false, 'a < b and 1<2'],
    ['end tag garbage is skipped up to >', 'a</ >b</>c</3>d', 100, false, 'abcd'],
    ['named entities', '&lt;b&gt; &amp; &quot;q&quot; &apos;s&apos; &copy; &hellip;', 100, false, '<b> & "q" \'s\' © …'],
    ['nbsp collapses like whitespace', 'a&nbsp;&nbsp; b', 100, false, 'a b'],
    ['numeric entities', '&#65;&#x42;&#X43; &#128512;', 100, false, 'ABC 😀'],
    ['invalid numeric entities become U+FFFD', '&#0;&#xD800;&#1114112;&#99999999999;', 100, false, '\ufffd\ufffd\ufffd\ufffd'],
    ['unknown entities stay literal', '&bogus; &amp &#; & x', 100, false, '&bogus; &amp &#; & x'],
    ['entities are not decoded into markup', '&lt;script&gt;x&lt;/script&gt;', 100, false, '<script>x</script>'],
    ['truncation with ellipsis', 'Hello big world', 9, true, 'Hello big...'],
    ['truncation trims trailing whitespace', 'Hello big world', 10, true, 'Hello big...'],
    ['truncation without ellipsis', 'Hello big world', 9, false, 'Hello big'],
    ['no ellipsis when nothing was cut', 'Hello', 5, true, 'Hello'],
    ['trailing whitespace does not count as truncation', 'Hello   ', 5, true, 'Hello'],
    ['trailing dropped markup does not count as truncation', 'Hello<script>more</script>', 5, true, 'Hello'],
    ['counts code points, not UTF-16 units', '😀😀😀', 2, true, '😀😀...'],
    ['combining marks count as their own code points', 'e\u0301e\u0301', 3, false, 'e\u0301e'],
    ['maxLength 0 yields only the ellipsis', 'abc', 0, true, '...'],
    ['negative maxLength acts like 0', 'abc', -5, false, ''],
    ['NaN maxLength acts like 0', 'abc', Number.NaN, false, ''],
    ['fractional maxLength is floored', 'abcdef', 3.9, false, 'abc'],
    ['Infinity maxLength keeps everything', 'abc', Infinity, true, 'abc'],
    ['unclosed tag at the end is dropped', 'text<a href="x', 100, false, 'text'],
    ['unclosed comment swallows the rest', 'a<!-- b', 100, false, 'a'],
    ['unclosed script swallows the rest', 'a<script>b', 100, false, 'a'],
    ['empty input', '', 10, true, ''],
  ];
  for (const [name, html, max, ellipsis, expected] of table) {
    it(name, () => {
      assert.equal(excerpt(html, max, ellipsis), expected);
    });
  }

  it('returns "" for non-string input instead of throwing', () => {
    assert.equal(excerpt(42 as unknown as string, 10, true), '');
    assert.equal(excerpt(null as unknown as string, 10, true), '');
  });

  it('never throws, never exceeds maxLength code points (+ "..."), and has no surrounding whitespace', () => {
    const htmlish = fc.array(
      fc.oneof(
        fc.string(),
        fc.constantFrom('<', '>', '</', '/>', '<!--', '-->', '"', "'", '=', '&', ';', '&amp;', '&#', '<script>', '</script>',
          '<svg>', '</svg>', '<p>', '</p>', '<b>', '<img src="', '<form>', '</form>', ' ', '\n', '\u00a0', '😀'),
      ),
      { maxLength: 30 },
    ).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(htmlish, fc.integer({ min: -2, max: 50 }), fc.boolean(), (html, max, ellipsis) => {
        const result = excerpt(html, max, ellipsis);
        const body = result.endsWith('...') && ellipsis ? result.slice(0, -3) : result;
        assert.ok([...body].length <= Math.max(0, max));
        assert.equal(body, body.trim());
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent on plain text without markup characters', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !/[<>&]/.test(s)), (text) => {
        const once = excerpt(text, 1000, false);
        assert.equal(excerpt(once, 1000, false), once);
      }),
    );
  });

  // Speed is measured by benchmarks, not asserted here; a quadratic scan of these inputs would
  // still trip the generous hang guard.
  it('handles hostile input and returns bounded results', { timeout: 120_000 }, () => {
    const hostile = [
      '<div>'.repeat(200_000) + '<script>' + 'x'.repeat(1_000_000),
      '<a "'.repeat(200_000),
      '<svg>'.repeat(200_000) + '</form>'.repeat(200_000),
      '<textarea>' + '</'.repeat(500_000),
      '&'.repeat(1_000_000) + '&#' + '9'.repeat(100_000) + ';',
      '<!--'.repeat(300_000),
      '<a title="'.repeat(100_000),
      '<'.repeat(1_000_000),
      'x '.repeat(1_000_000),
    ];
    for (const html of hostile) {
      const full = excerpt(html, Number.MAX_SAFE_INTEGER, true);
      assert.equal(typeof full, 'string');
      assert.ok([...excerpt(html, 50, true)].length <= 53);
    }
  });

  it('truncates a huge text to the requested length', () => {
    const huge = 'word '.repeat(2_000_000);
    assert.equal(excerpt(huge, 10, true), 'word word...');
  });
});
