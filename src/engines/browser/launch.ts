import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { DeviceError } from '../../errors.js';

/** Debian's package, then the usual places of Chrome and Chromium. */
const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/**
 * The browser to drive: PUPPETEER_EXECUTABLE_PATH, then a system Chromium or Chrome, then
 * the one the full `puppeteer` package downloaded, if it is installed.
 */
export function findBrowser(): string {
  const fromEnvironment = process.env.PUPPETEER_EXECUTABLE_PATH;
  if (fromEnvironment) {
    if (!existsSync(fromEnvironment)) throw new DeviceError(`anonscope/browser: PUPPETEER_EXECUTABLE_PATH=${fromEnvironment} does not exist`);
    return fromEnvironment;
  }
  const system = SYSTEM_BROWSERS.find((path) => existsSync(path));
  if (system) return system;
  try {
    const puppeteerFull = createRequire(import.meta.url)('puppeteer') as { executablePath(): string };
    const downloaded = puppeteerFull.executablePath();
    if (existsSync(downloaded)) return downloaded;
  } catch {
    // the full puppeteer package is optional
  }
  throw new DeviceError(
    'anonscope/browser: no Chromium or Chrome found; install one (Debian: apt-get install chromium) or set PUPPETEER_EXECUTABLE_PATH',
  );
}

export interface LaunchOptions {
  /** Refuse software adapters: do not enable SwiftShader. */
  requireHardware?: boolean;
}

/**
 * Chromium flags for headless WebGPU. --enable-unsafe-webgpu is what makes requestAdapter()
 * answer on Linux; SwiftShader (a CPU Vulkan) stands in where there is no GPU; the
 * --disable-* flags keep Chromium off the network.
 */
export function browserFlags(options: LaunchOptions): string[] {
  const flags = [
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ];
  if (!options.requireHardware) flags.push('--enable-unsafe-swiftshader');
  // Chromium refuses to run as root with its sandbox.
  if (process.getuid?.() === 0) flags.push('--no-sandbox');
  return flags;
}

/** A headless browser with a fresh profile that is removed when the browser closes. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<{ browser: Browser; close(): Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'anonscope-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: findBrowser(),
      headless: true,
      userDataDir,
      args: browserFlags(options),
      protocolTimeout: 0, // jobs bound their own submissions; never cut one off mid-way
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new DeviceError(`anonscope/browser: could not start the browser: ${(error as Error).message}`, { cause: error });
  }
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
