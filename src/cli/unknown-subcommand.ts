/**
 * `kiln models` and `kiln runs` list when given no sub-command (their `list` is the default), so commander
 * hands a mistyped sub-command (`kiln models shwo`) to `list` and says "too many arguments for 'list'".
 * The default sub-command takes its extra words instead, and this names the mistake and the commands.
 */
import type { Command } from 'commander';
import { KilnError } from '../core/errors.js';

/** Lets `list` accept extra words, so that its action can refuse them with `refuseUnknownSubcommand`. */
export function acceptingUnknownSubcommand(list: Command): Command {
  return list.allowExcessArguments(true);
}

/** Throws a usage error when the default sub-command was reached with words it does not take. */
export function refuseUnknownSubcommand(list: Command): void {
  const [word] = list.args;
  const parent = list.parent;
  if (word === undefined || parent === null) return;
  const names = parent.commands.map((c) => c.name()).filter((n) => n !== 'help');
  throw new KilnError('INVALID_PARAMS', {
    what: `kiln ${parent.name()}`,
    summary: `"${word}" is not one of its commands: ${names.join(', ')}`,
  });
}
