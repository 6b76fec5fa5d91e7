import { useI18n } from '../i18n';

/** What a reveal did, as the server answered the moderator (POST …/reveal's `notes`). */
export interface RevealOutcome {
  added: number;
  leftOut: number;
}

/**
 * After a board's hidden notes are revealed: the moderator reads how many
 * notes went on the board and how many were left out (the board stays under
 * its size limit); a writer whose page showed their notes reads that they are
 * on the board now; and a writer whose client synced the notes document after
 * the reveal reads the server's answer: what they wrote after it stays on
 * their device.
 */
export function RevealNotice({ outcome, mine, closed }: { outcome: RevealOutcome | null; mine: boolean; closed: boolean }) {
  const tr = useI18n();
  if (!outcome && !mine && !closed) return null;
  return (
    <div class="board-phase board-revealed" role="status" data-testid="board-revealed">
      {outcome && (
        <p>
          {tr.tn('wb.revealed.added', outcome.added)}{' '}
          {outcome.leftOut > 0 ? tr.tn('wb.revealed.leftOut', outcome.leftOut) : tr.t('wb.revealed.noneLeftOut')}
        </p>
      )}
      {mine && !outcome && <p>{tr.t('wb.revealed.mine')}</p>}
      {closed && <p>{tr.t('wb.revealed.closed')}</p>}
    </div>
  );
}

/** Whether a sync server's error message says a private notes document closed at its board's reveal
 * (the server's words: app.NotesClosedMessage, alone or after "access withdrawn: "). */
export const saysNotesClosed = (message: string): boolean => /(^|: )notes revealed:/.test(message);
