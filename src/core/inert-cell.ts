/**
 * Characters that make Excel or LibreOffice read a cell as a formula (OWASP "CSV injection"), and
 * their full-width forms, which Japanese Excel also accepts.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** A text cell that cannot become a formula: a leading apostrophe makes spreadsheets show it as text. */
export const inertCell = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);
