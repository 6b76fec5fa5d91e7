import type { RetroView } from '../api/types';
import { useI18n } from '../i18n';

/** The agenda: where the retro is; the moderator moves it. */
export function StepNav({ view, go }: { view: RetroView; go: (stepId: string) => void }) {
  const tr = useI18n();
  const steps = view.agenda ?? [];
  const mod = view.you.moderator && !view.closed;
  return (
    <nav class="steps" aria-label={tr.t('retro.steps')}>
      <ol>
        {steps.map((s) => {
          const current = s.id === view.currentStep;
          const label = s.title || tr.t(`step.${s.kind}`);
          return (
            <li key={s.id} class={`${current ? 'current' : ''} ${s.skipped ? 'skipped' : ''}`}>
              {mod && !current ? (
                <button type="button" class="step-btn" onClick={() => go(s.id)} aria-label={`${tr.t('retro.goTo')}: ${label}`}>
                  {label}
                </button>
              ) : (
                <span class="step-label" aria-current={current ? 'step' : undefined}>
                  {label}
                </span>
              )}
              {s.skipped && <span class="sr-only"> ({tr.t('retro.skipped')})</span>}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

/** The next and previous steps that are not skipped. */
export function neighbours(view: RetroView): { prev?: string; next?: string } {
  const steps = (view.agenda ?? []).filter((s) => !s.skipped || s.id === view.currentStep);
  const i = steps.findIndex((s) => s.id === view.currentStep);
  return { prev: i > 0 ? steps[i - 1]!.id : undefined, next: i >= 0 && i + 1 < steps.length ? steps[i + 1]!.id : undefined };
}
