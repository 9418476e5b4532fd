import { en } from './en.ts';
import { type MessageKey, zh } from './zh.ts';

export type { MessageKey };
export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** Reads the `lang` cookie's value: English when it says so, Simplified Chinese otherwise (the default). */
export const langOf = (cookie: string | undefined): Lang => (cookie === 'en' ? 'en' : 'zh');

/** A label in `lang`, with `{name}` replaced by `values.name` (plain text: the page escapes it). */
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const dict: Record<MessageKey, string> = lang === 'en' ? en : zh;
  return (key, values) => {
    const text = dict[key];
    return values ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m)) : text;
  };
}

/** The `lang` attribute of the page. */
export const htmlLang = (lang: Lang): string => (lang === 'en' ? 'en' : 'zh-CN');
