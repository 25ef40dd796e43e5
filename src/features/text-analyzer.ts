/**
 * Turning a text into the terms TF-IDF counts, as scikit-learn's CountVectorizer does, and in a way
 * the ONNX graph reproduces exactly:
 *
 *   word  lowercase (per code point, see `lowercase`), tokens = runs of two or more word characters (scikit-learn's default
 *         token_pattern \b\w\w+\b with Python's Unicode \w = letters, digits, underscore),
 *         then word n-grams joined by one space.
 *   char  lowercase, character n-grams over the whole text (code points). Unlike scikit-learn, runs
 *         of whitespace are NOT collapsed to one space first: the ONNX graph cannot do that, and the
 *         served model must agree with the trained one. Text without whitespace runs gets exactly
 *         scikit-learn's terms.
 *
 * The ONNX graph tokenises with com.microsoft's Tokenizer (regex `[\p{L}\p{N}_]+` with at least 2
 * characters, or `(?s).` for characters) and pads rows with U+FFFF, so no term may contain U+FFFF.
 */
export type Analyzer = 'word' | 'char';

export interface AnalyzerOptions {
  readonly analyzer: Analyzer;
  readonly ngramRange: readonly [number, number];
  readonly lowercase: boolean;
}

/** The Tokenizer's padding value: never part of a term. */
export const PAD = '\uffff';

/** The regex the ONNX Tokenizer uses for words (re2 syntax; the same meaning in JavaScript with /u). */
export const WORD_TOKEN_REGEX = '[\\p{L}\\p{N}_]+';
const WORD = /[\p{L}\p{N}_]+/gu;

/**
 * Lowercase one code point at a time (Unicode's simple case mapping), as onnxruntime's
 * StringNormalizer does. It differs from Python's and JavaScript's full mapping only where that is
 * longer or context-dependent: "İ" becomes "i" (not "i̇"), and a word-final "Σ" becomes "σ" (not "ς").
 */
export function lowercase(text: string): string {
  // Only "İ" (longer lowercase) and "Σ" (context-dependent) differ from the whole-string mapping.
  if (!/[\u0130\u03a3]/.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    const lower = ch.toLowerCase();
    out += lower.length === ch.length ? lower : ([...lower][0] ?? ch);
  }
  return out;
}

/** The tokens n-grams are built from: words (≥ 2 characters) or single characters. */
export function tokens(text: string, options: AnalyzerOptions): string[] {
  const t = options.lowercase ? lowercase(text) : text;
  if (options.analyzer === 'char') return [...t];
  // At least two code points: a length of 2 UTF-16 units may be one astral character.
  return (t.match(WORD) ?? []).filter((w) => w.length > 2 || (w.length === 2 && [...w].length === 2));
}

/** Every term of `text`, with repeats (a term is n tokens joined by " " for words, by "" for characters). */
export function terms(text: string, options: AnalyzerOptions): string[] {
  const toks = tokens(text, options);
  const joiner = options.analyzer === 'word' ? ' ' : '';
  const [minN, maxN] = options.ngramRange;
  const out: string[] = [];
  for (let n = minN; n <= maxN; n++) {
    if (n === 1) for (const tok of toks) out.push(tok);
    else for (let i = 0; i + n <= toks.length; i++) out.push(toks.slice(i, i + n).join(joiner));
  }
  return text.includes(PAD) ? out.filter((term) => !term.includes(PAD)) : out;
}

/** A term back as its tokens (the TfIdfVectorizer's pool holds token sequences). */
export function termTokens(term: string, analyzer: Analyzer): string[] {
  return analyzer === 'word' ? term.split(' ') : [...term];
}
