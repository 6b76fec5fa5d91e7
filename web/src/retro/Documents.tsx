import { useEffect, useState } from 'preact/hooks';
import type { Page, RetroView } from '../api/types';
import { newUUID } from '../api/ids';
import { useI18n } from '../i18n';
import { useServices } from '../services';

/** The summary's formats, as the server renders them (documents.Formats). */
const formats = [
  ['md', 'Markdown'],
  ['pdf', 'PDF'],
  ['csv', 'CSV'],
  ['json', 'JSON'],
] as const;

/** A closed retro's documents to download, and for its moderator, links to share its summary. */
export function Documents({ view }: { view: RetroView }) {
  const tr = useI18n();
  const retro = `/v1/retros/${encodeURIComponent(view.retroId)}`;
  const guest = view.you.role === 'guest';
  return (
    <>
      <section class="card" aria-labelledby="docs-h">
        <h2 id="docs-h">{tr.t('docs.title')}</h2>
        <ul class="downloads">
          {formats.map(([f, name]) => (
            <li key={f}>
              <a href={`${retro}/summary.${f}`} download>
                {tr.t('docs.summaryAs', { format: name })}
              </a>
            </li>
          ))}
          {!guest && (
            <li>
              <a href={`/v1/teams/${encodeURIComponent(view.teamId)}/actions.csv`} download>
                {tr.t('docs.teamActions')}
              </a>
            </li>
          )}
        </ul>
      </section>
      {view.you.moderator && <ShareLinks retroId={view.retroId} />}
    </>
  );
}

interface ShareLink {
  linkId: string;
  expiresAt: string;
  /** Where the link opens: known only on the page that made it (the server shows a token once). */
  paths?: Record<string, string>;
  revoked?: boolean;
  expired?: boolean;
}

/**
 * Share links of the summary, read-only and naming nobody, for people
 * outside the team. The server lists the retro's links without their
 * tokens, so a link made earlier shows its validity and can be revoked,
 * and only a link made on this page shows where it opens.
 */
function ShareLinks({ retroId }: { retroId: string }) {
  const tr = useI18n();
  const { client, report } = useServices();
  const [links, setLinks] = useState<ShareLink[]>([]);
  const [until, setUntil] = useState('');
  useEffect(() => {
    let live = true;
    client.get<Page<ShareLink>>(`/v1/retros/${encodeURIComponent(retroId)}/share-links?limit=200`).then(
      (page) =>
        live &&
        setLinks((made) => [...page.items.filter((l) => !made.some((m) => m.linkId === l.linkId)), ...made]),
      () => {}, // offline or not the moderator: the page's own links still show
    );
    return () => {
      live = false;
    };
  }, [retroId, client]);
  const create = async (e: Event) => {
    e.preventDefault();
    const body = until ? { expiresAt: new Date(`${until}T23:59:59`).toISOString() } : {};
    try {
      const l = await client.request<ShareLink>('POST', `/v1/retros/${encodeURIComponent(retroId)}/share-links`, body, { idempotencyKey: newUUID() });
      setLinks((all) => [...all.filter((x) => x.linkId !== l.linkId), l]);
    } catch (err) {
      report(err);
    }
  };
  const revoke = async (l: ShareLink) => {
    try {
      await client.request('DELETE', `/v1/share-links/${encodeURIComponent(l.linkId)}`, undefined, { idempotencyKey: newUUID() });
      setLinks((all) => all.map((x) => (x.linkId === l.linkId ? { ...x, revoked: true } : x)));
    } catch (err) {
      report(err);
    }
  };
  return (
    <section class="card" aria-labelledby="share-h">
      <h2 id="share-h">{tr.t('share.title')}</h2>
      <p class="muted small">{tr.t('share.intro')}</p>
      <form class="inline-form" onSubmit={create}>
        <div class="field">
          <label for="share-until">{tr.t('share.until')}</label>
          <input id="share-until" type="date" value={until} onInput={(e) => setUntil((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <button type="submit">{tr.t('share.create')}</button>
      </form>
      {links.length > 0 && (
        <>
          <ul class="share-links">
            {links.map((l) => (
              <li key={l.linkId} class={l.revoked ? 'revoked' : ''}>
                {l.revoked ? (
                  <p>{tr.t('share.revoked')}</p>
                ) : !l.paths ? (
                  <p class="muted">{l.expired ? tr.t('share.expired') : tr.t('share.madeEarlier')}</p>
                ) : (
                  <p class="row">
                    {formats.map(([f, name]) =>
                      l.paths?.[f] ? (
                        <a key={f} class="share-link" href={`${location.origin}${l.paths[f]}`}>
                          {tr.t('share.openAs', { format: name })}
                        </a>
                      ) : null,
                    )}
                  </p>
                )}
                <p class="muted small">{tr.t('share.validUntil', { date: tr.date(l.expiresAt) })}</p>
                {!l.revoked && !l.expired && (
                  <button type="button" class="secondary" aria-label={tr.t('share.revokeNamed', { date: tr.date(l.expiresAt) })} onClick={() => revoke(l)}>
                    {tr.t('share.revoke')}
                  </button>
                )}
              </li>
            ))}
          </ul>
          <p class="muted small">{tr.t('share.thisPageOnly')}</p>
        </>
      )}
    </section>
  );
}
