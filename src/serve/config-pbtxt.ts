/**
 * Protocol-buffer text format, the syntax of Triton's `config.pbtxt`: a reader into a generic tree and a
 * writer back. What the fields mean is model-config.ts's business; this file only knows the syntax:
 *
 *   name: "iris"                      scalar field (string, number or enum identifier)
 *   max_batch_size: 8
 *   input [ { name: "x" dims: [ 4 ] } ]   repeated field written as a list
 *   dynamic_batching { }              message field (the colon is optional before `{`)
 *   # a comment
 *
 * A field may repeat; the tree keeps every occurrence, in order.
 */

export type PbScalar = string | number;
export type PbValue = PbScalar | PbMessage;
/** Field name → every value it was given, in order. */
export type PbMessage = Map<string, PbValue[]>;

interface Token {
  readonly kind: 'ident' | 'string' | 'number' | 'punct';
  readonly text: string;
  readonly line: number;
}

/** Parses text-format protobuf; throws an Error naming the line of the first syntax problem. */
export function parsePbtxt(text: string): PbMessage {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const fail = (message: string): never => {
    const token = peek();
    throw new Error(`${message} at ${token === undefined ? 'the end of the file' : `line ${token.line} ("${token.text}")`}`);
  };
  const expect = (text: string): void => {
    if (peek()?.text !== text) fail(`expected "${text}"`);
    i++;
  };

  const parseMessage = (closing: string | undefined): PbMessage => {
    const message: PbMessage = new Map();
    for (;;) {
      const token = peek();
      if (token === undefined) {
        if (closing !== undefined) fail(`expected "${closing}"`);
        return message;
      }
      if (token.kind === 'punct' && token.text === closing) {
        i++;
        return message;
      }
      if (token.kind !== 'ident') fail('expected a field name');
      i++;
      const values = message.get(token.text) ?? [];
      message.set(token.text, values);
      let hadColon = false;
      if (peek()?.text === ':') {
        i++;
        hadColon = true;
      }
      const next = peek();
      if (next?.text === '[') {
        i++;
        if (peek()?.text === ']') i++;
        else
          for (;;) {
            values.push(parseValue());
            if (peek()?.text === ',') i++;
            else {
              expect(']');
              break;
            }
          }
      } else if (next?.text === '{' || next?.text === '<') {
        values.push(parseValue());
      } else {
        if (!hadColon) fail(`expected ":" after "${token.text}"`);
        values.push(parseValue());
      }
      if (peek()?.text === ',' || peek()?.text === ';') i++;
    }
  };

  const parseValue = (): PbValue => {
    const token = peek();
    if (token === undefined) return fail('expected a value');
    i++;
    if (token.text === '{') return parseMessage('}');
    if (token.text === '<') return parseMessage('>');
    if (token.kind === 'string') {
      // adjacent string literals concatenate, as in C
      let value = token.text;
      while (peek()?.kind === 'string') value += (tokens[i++] as Token).text;
      return value;
    }
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'ident') return token.text;
    return fail('expected a value');
  };

  return parseMessage(undefined);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if ('{}[]<>:,;'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, line });
      i++;
    } else if (c === '"' || c === "'") {
      let value = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\n') throw new Error(`unterminated string at line ${line}`);
        if (text[i] === '\\') {
          const escaped = text[i + 1];
          value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : (escaped ?? '');
          i += 2;
        } else value += text[i++];
      }
      if (i >= text.length) throw new Error(`unterminated string at line ${line}`);
      i++;
      tokens.push({ kind: 'string', text: value, line });
    } else {
      const match = /^[A-Za-z0-9_.+-]+/.exec(text.slice(i, i + 256));
      if (match === null) throw new Error(`unexpected character "${c}" at line ${line}`);
      const word = match[0];
      const numeric = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)$/.test(word);
      tokens.push({ kind: numeric ? 'number' : 'ident', text: word, line });
      i += word.length;
    }
  }
  return tokens;
}

// ------------------------------------------------------------------------------------------------
// writing

/** A value to write: numbers as they are, `{enum: "X"}` as a bare identifier, strings quoted. */
export type PbOut = string | number | boolean | { readonly enum: string } | PbOutMessage | readonly PbOut[];
export interface PbOutMessage {
  readonly [field: string]: PbOut | undefined;
}

/** Writes a message in text format, two spaces per level, repeated fields as `[ … ]` lists. */
export function formatPbtxt(message: PbOutMessage, indent = ''): string {
  const lines: string[] = [];
  for (const [field, value] of Object.entries(message)) {
    if (value === undefined) continue;
    lines.push(`${indent}${field}${formatValue(value, indent, true)}`);
  }
  return lines.join('\n');
}

function formatValue(value: PbOut, indent: string, afterField: boolean): string {
  const lead = afterField ? ': ' : '';
  if (typeof value === 'string') return `${lead}${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${lead}${String(value)}`;
  if (isArray(value)) {
    if (value.every((v) => !isMessage(v))) return `${lead}[ ${value.map((v) => formatValue(v, indent, false)).join(', ')} ]`;
    const inner = value.map((v) => `${indent}  ${formatValue(v, `${indent}  `, false)}`).join(',\n');
    return `${lead}[\n${inner}\n${indent}]`;
  }
  if (isEnum(value)) return `${lead}${value.enum}`;
  const body = formatPbtxt(value, `${indent}  `);
  return `${afterField ? ' ' : ''}{${body === '' ? ' ' : `\n${body}\n${indent}`}}`;
}

const isArray = (v: PbOut): v is readonly PbOut[] => Array.isArray(v);
const isEnum = (v: PbOut): v is { readonly enum: string } => typeof v === 'object' && !Array.isArray(v) && typeof (v as { enum?: unknown }).enum === 'string';
const isMessage = (v: PbOut): v is PbOutMessage => typeof v === 'object' && !Array.isArray(v) && !isEnum(v);
