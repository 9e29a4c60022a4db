/**
 * Light/dark theme: follows the system (prefers-color-scheme) until the user picks one with the
 * toggle; the choice is kept in localStorage and applied as `data-theme` on <html>.
 * @module
 */
export type ThemeChoice = 'light' | 'dark' | 'system';

const KEY = 'basalt.theme';

export function storedTheme(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

export function applyTheme(choice: ThemeChoice): void {
  if (choice === 'system') {
    localStorage.removeItem(KEY);
    delete document.documentElement.dataset.theme;
  } else {
    localStorage.setItem(KEY, choice);
    document.documentElement.dataset.theme = choice;
  }
}
