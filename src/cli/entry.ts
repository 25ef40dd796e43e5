/** Process entry of the `kiln` command (bin/kiln.js loads the compiled copy of this file). */
import { main } from './main.js';

await main(process.argv);
