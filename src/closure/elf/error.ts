import { UserError } from '../../errors.ts';

/** A file that is not a well-formed ELF object, or one the reader refuses to trust. The message
 * names the file and, where one applies, the file offset of the bad field. */
export class ElfError extends UserError {
  override name = 'ElfError';
  readonly file: string;
  readonly offset: number | undefined;

  constructor(file: string, problem: string, offset?: number) {
    super(`${file}: ${problem}${offset === undefined ? '' : ` (at offset ${offset})`}`);
    this.file = file;
    this.offset = offset;
  }
}

export function isElfError(err: unknown): err is ElfError {
  return err instanceof ElfError;
}
