/**
 * The form's parameters in the page's URL (?analysis=entropy&hops=5&…), so that a shared link
 * reproduces the run: every named control of the form but the file inputs (a file cannot
 * travel in a link; the bundled example can). Only values that differ from the page's
 * defaults are written, so links stay short.
 */

/** URL parameters the page reads that are not form controls. */
const RESERVED = new Set(['limits']);

type Control = HTMLInputElement | HTMLSelectElement;

function controls(form: HTMLFormElement): Control[] {
  return Array.from(form.querySelectorAll<Control>('input[id], select[id]')).filter((c) => !(c instanceof HTMLInputElement && c.type === 'file') && c.type !== 'radio');
}

const valueOf = (c: Control) => (c instanceof HTMLInputElement && c.type === 'checkbox' ? (c.checked ? '1' : '0') : c.value);
const defaultOf = (c: Control) =>
  c instanceof HTMLInputElement
    ? c.type === 'checkbox' ? (c.defaultChecked ? '1' : '0') : c.defaultValue
    : (Array.from(c.options).find((o) => o.defaultSelected) ?? c.options[0])?.value ?? '';

/** The form's state as URL parameters (the analysis radio as `analysis`). */
export function formToParams(form: HTMLFormElement): URLSearchParams {
  const params = new URLSearchParams();
  const analysis = form.querySelector<HTMLInputElement>('input[name=analysis]:checked');
  if (analysis) params.set('analysis', analysis.value);
  for (const c of controls(form)) if (valueOf(c) !== defaultOf(c)) params.set(c.id, valueOf(c));
  return params;
}

/** Set the form from URL parameters; returns the names it did not know (reported, not ignored silently). */
export function paramsToForm(form: HTMLFormElement, params: URLSearchParams): string[] {
  const unknown: string[] = [];
  const byId = new Map(controls(form).map((c) => [c.id, c]));
  for (const [name, value] of params) {
    if (RESERVED.has(name)) continue;
    if (name === 'analysis') {
      const radio = form.querySelector<HTMLInputElement>(`input[name=analysis][value="${CSS.escape(value)}"]`);
      if (radio) radio.checked = true;
      else unknown.push(`${name}=${value}`);
      continue;
    }
    const c = byId.get(name);
    if (!c) unknown.push(name);
    else if (c instanceof HTMLInputElement && c.type === 'checkbox') c.checked = value === '1';
    else c.value = value;
  }
  return unknown;
}

/** Write the form's state into the address bar, keeping the reserved parameters. */
export function saveToUrl(form: HTMLFormElement): void {
  const params = formToParams(form);
  const current = new URLSearchParams(location.search);
  for (const name of RESERVED) {
    const value = current.get(name);
    if (value !== null) params.set(name, value);
  }
  const query = params.toString();
  history.replaceState(null, '', query ? `?${query}` : location.pathname);
}
