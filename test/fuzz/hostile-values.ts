import fc from 'fast-check';

/** Characters that break naive code: NUL and other C0 controls, DEL, C1, bidi and zero-width marks. */
const CONTROL = fc.oneof(
  fc.constant('\u0000'),
  fc.integer({ min: 1, max: 0x1f }).map((n) => String.fromCharCode(n)),
  fc.constantFrom('\u007f', '\u0085', '\u009f', '\u200b', '\u200e', '\u202e', '\u2028', '\u2029', '\ufeff', '\uffff'),
);
/** Half of a surrogate pair on its own: not Unicode; jsonb refuses its escape. */
const LONE_SURROGATE = fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n));

/** Strings that have broken parsers, databases and templates before (none hold NUL). */
const NASTY = fc.constantFrom(
  '',
  ' ',
  "' OR '1'='1",
  '"; drop table mall; --',
  '%00',
  '%zz',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  'null',
  'true',
  '{}',
  '[]',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '😀👨‍👩‍👧',
  '𠜎𠜱',
  'ｆｕｌｌｗｉｄｔｈ',
  'a\\u0000b',
  '\\',
);

/** Any text, with control characters and lone surrogates mixed in. */
export const hostileText = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) }, { weight: 2, arbitrary: CONTROL }, { weight: 1, arbitrary: LONE_SURROGATE }, { weight: 1, arbitrary: NASTY }), { maxLength: 8 })
  .map((parts) => parts.join(''));

/**
 * A string that PostgreSQL cannot store: a NUL or a lone surrogate somewhere in it (checked: a
 * surrogate can pair with a neighbour into a valid character).
 */
export const unstorableText = fc
  .tuple(hostileText, fc.oneof(fc.constant('\u0000'), LONE_SURROGATE), hostileText)
  .map(([a, bad, b]) => `${a}${bad}${b}`)
  .map((s) => (s.includes('\u0000') || !s.isWellFormed() ? s : `${s}\u0000`));

/** Long strings: past any field's limit, some past the body limit. */
export const hugeText = fc
  .tuple(fc.constantFrom(300, 5_000, 70_000), fc.constantFrom('x', '字', '😀', '\u0000', 'a\u0001'))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));

/** Any hostile string. */
export const hostileString = fc.oneof({ weight: 5, arbitrary: hostileText }, { weight: 2, arbitrary: unstorableText }, { weight: 2, arbitrary: NASTY }, { weight: 1, arbitrary: hugeText });

/** Numbers at the edges of what JSON, JavaScript and PostgreSQL integers hold. */
export const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, 5e-324),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/**
 * Arrays or objects nested `depth` deep: they have overflowed recursive walkers and JSON encoders.
 * Past what JSON.stringify can encode here, the value is a marker that `expandDeep` turns into the
 * nested JSON text once the body is serialised.
 */
export const deeplyNested = fc.tuple(fc.constantFrom(64, 1_000, 20_000, 100_000), fc.boolean()).map(([depth, arrays]) => {
  if (depth > 1_000) return `${DEEP_MARKER}${arrays ? 'a' : 'o'}${depth}__`;
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
});
const DEEP_MARKER = '__fuzz_deep_';

/** Serialised JSON with every deep-nesting marker replaced by its nested JSON text. */
export function expandDeep(json: string): string {
  return json.replace(/"__fuzz_deep_([ao])(\d+)__"/g, (_, kind: string, n: string) => {
    const depth = Number(n);
    return kind === 'a' ? `${'['.repeat(depth)}"bottom"${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`;
  });
}

/** Objects keyed to pollute prototypes or confuse `in` checks. */
export const prototypeKeyed: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf'), fc.jsonValue({ maxDepth: 2 }))
  .map(([key, value]) => JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(value) ?? 'null'}, "constructor": {"prototype": {"polluted": true}}}`) as Record<string, unknown>);

/** `s` with what PostgreSQL cannot store replaced: hostile, yet a request carrying it may be valid. */
export const storable = (s: string): string => s.replaceAll('\u0000', '\u2400').toWellFormed();

/** Hostile strings a valid request may carry (no NUL, no lone surrogate), short enough for a URL. */
export const storableText = fc.oneof({ weight: 6, arbitrary: hostileText.map(storable) }, { weight: 2, arbitrary: NASTY }, { weight: 1, arbitrary: fc.constantFrom(300, 3_000).map((n) => 'u'.repeat(n)) });

/** A JSON value of any type built from `strings`, with hostile numbers, prototype keys and deep nesting. */
const jsonOf = (strings: fc.Arbitrary<string>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: strings },
    { weight: 2, arbitrary: hostileNumber },
    { weight: 1, arbitrary: fc.constantFrom(true, false, null, [], {}) },
    { weight: 1, arbitrary: fc.array(strings, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(hostileText.map(storable), strings, { maxKeys: 3 }) },
    { weight: 1, arbitrary: prototypeKeyed },
    { weight: 1, arbitrary: deeplyNested },
  );

/** A JSON value of any type, hostile strings (NUL included) and numbers included. */
export const hostileJson = jsonOf(hostileString);
/** A hostile JSON value PostgreSQL could store: what reaches handlers when the schema allows it. */
export const storableJson = jsonOf(hostileString.map(storable));

/** Byte sequences that are not UTF-8: stray continuation bytes, overlong forms (an overlong NUL), surrogates, truncated sequences. */
export const invalidUtf8 = fc.constantFrom(
  [0xff],
  [0xfe, 0xff],
  [0x80],
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe0, 0xa4],
  [0xf0, 0x9f, 0x98],
);

/** Percent-encodings that do not decode: not hex, truncated, or not UTF-8 once decoded. */
export const badPercent = fc.constantFrom('%', '%zz', '%4', '%E0%A4%A', '%C0%80', '%ED%A0%80', '%FF', '%%', '%u0000', '%E0%A4');
