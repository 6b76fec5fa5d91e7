import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Me } from '../api/types';
import { useI18n } from '../i18n';

type BoardProps = { boardId: string; me: Me };

/** The board page, fetched when first opened: Automerge and its wasm are
 * large, and no other page needs them (the retro page's budget). */
export function LazyBoard(props: BoardProps) {
  const { t } = useI18n();
  const [Page, setPage] = useState<FunctionComponent<BoardProps> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    import('./BoardPage').then(
      (m) => live && setPage(() => m.default),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, []);
  if (failed) return <p role="alert">{t('error.network')}</p>;
  if (!Page) return <p role="status">{t('wb.opening')}</p>;
  return <Page {...props} />;
}
