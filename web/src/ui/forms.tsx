import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

interface FieldProps {
  label: string;
  type?: 'text' | 'email' | 'password' | 'search' | 'number';
  value: string;
  onInput: (v: string) => void;
  required?: boolean;
  autoComplete?: string;
  hint?: string;
  minLength?: number;
  maxLength?: number;
  name?: string;
}

/** A labelled input; the hint is tied to it with aria-describedby. */
export function Field(p: FieldProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        // Preact 11 narrows input props by type; the union of ours is fine.
        {...({ type: p.type ?? 'text' } as { type: 'text' })}
        value={p.value}
        required={p.required}
        autoComplete={p.autoComplete}
        minLength={p.minLength}
        maxLength={p.maxLength}
        aria-describedby={p.hint ? `${id}-hint` : undefined}
        onInput={(e) => p.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {p.hint && (
        <small id={`${id}-hint`} class="hint">
          {p.hint}
        </small>
      )}
    </div>
  );
}

/** A message inside a form, announced to screen readers. */
export function FormError({ children }: { children: ComponentChildren }) {
  if (!children) return null;
  return (
    <p class="form-error" role="alert">
      {children}
    </p>
  );
}

interface ChoiceProps {
  label: string;
  value: string;
  onChange: (v: string) => void;
  /** The first option, chosen by the empty value. */
  none: string;
  options: { id: string; label: string }[];
}

/** A labelled select whose empty value means "the default". */
export function ChoiceField(p: ChoiceProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <select id={id} value={p.value} onChange={(e) => p.onChange((e.currentTarget as HTMLSelectElement).value)}>
        <option value="">{p.none}</option>
        {p.options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
