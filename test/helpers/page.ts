/** Driving the web page in the browser tests: set a control as a user would, run, wait for the end. */
import type { Page } from 'puppeteer-core';

/** Set a form control's value and fire the change event the page listens to. */
export async function setValue(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(selector, (el, v) => {
    (el as HTMLInputElement).value = v;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

/** Wait until the run ends; its state, 'done' or 'error'. */
export async function waitForEnd(page: Page, timeout = 300_000): Promise<string> {
  await page.waitForSelector('body[data-state=done], body[data-state=error]', { timeout });
  return page.$eval('body', (b) => b.dataset.state ?? '');
}

/** Click Run and wait for the end. */
export async function run(page: Page, timeout = 300_000): Promise<string> {
  await page.click('#run');
  return waitForEnd(page, timeout);
}
