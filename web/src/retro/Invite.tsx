import { useState } from 'preact/hooks';
import type { Invite as InviteT, RetroView } from '../api/types';
import { newUUID } from '../api/ids';
import { useI18n } from '../i18n';
import { useServices } from '../services';
import { QRCode } from './qr';

/** The moderator's invite link for guests, as text and as a QR code. */
export function Invite({ view }: { view: RetroView }) {
  const tr = useI18n();
  const { client, report } = useServices();
  const [invite, setInvite] = useState<InviteT | null>(null);
  const [copied, setCopied] = useState(false);
  const [key] = useState(newUUID);
  const create = async () => {
    try {
      setInvite(await client.request<InviteT>('POST', `/v1/retros/${encodeURIComponent(view.retroId)}/invites`, {}, { idempotencyKey: key }));
    } catch (err) {
      report(err);
    }
  };
  const link = invite ? `${location.origin}/join/${encodeURIComponent(invite.code)}` : '';
  return (
    <section class="card invite" aria-labelledby="invite-h">
      <h2 id="invite-h">{tr.t('retro.invite')}</h2>
      {!invite ? (
        <button type="button" class="secondary" onClick={create}>
          {tr.t('retro.inviteCreate')}
        </button>
      ) : (
        <>
          <p>{tr.t('retro.inviteText')}</p>
          <p>
            <a class="invite-link" href={link}>
              {link}
            </a>
          </p>
          <p class="muted small">{tr.t('retro.inviteExpires', { date: tr.date(invite.expiresAt) })}</p>
          <button
            type="button"
            class="secondary"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(link);
                setCopied(true);
              } catch {
                setCopied(false);
              }
            }}
          >
            {tr.t('retro.copy')}
          </button>
          {copied && <span role="status"> {tr.t('retro.copied')}</span>}
          <QRCode text={link} label={tr.t('retro.inviteQr')} />
          <p class="row downloads">
            <a href={`/v1/invites/${encodeURIComponent(invite.code)}/qr.png`} download="hindsight-invite-qr.png">
              {tr.t('docs.qrPng')}
            </a>
            <a href={`/v1/invites/${encodeURIComponent(invite.code)}/qr.svg`} download="hindsight-invite-qr.svg">
              {tr.t('docs.qrSvg')}
            </a>
          </p>
        </>
      )}
    </section>
  );
}
