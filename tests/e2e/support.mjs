// Shared end-to-end plumbing: serve the release `dist/` on 127.0.0.1 (optionally
// under a sub-path, as a static host would), open it in the system Chromium, and
// collect every page error and console error so a test can fail on them.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const distDir = path.resolve(here, '..', '..', 'dist');
export const artifactsDir = path.join(here, 'artifacts');

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** Serves `dist/` under `basePath` (e.g. "/" or "/console/") on a free port. */
export async function serveDist(basePath = '/') {
  if (!fs.existsSync(path.join(distDir, 'index.html'))) {
    throw new Error(`no release build at ${distDir}: run trunk build --release first`);
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (!url.pathname.startsWith(basePath)) {
      res.writeHead(404).end('not under the base path');
      return;
    }
    let relative = decodeURIComponent(url.pathname.slice(basePath.length)) || 'index.html';
    const file = path.resolve(distDir, relative);
    if (!file.startsWith(distDir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const chromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Opens a page in the system Chromium and records errors it reports; waits
 * for the element whose test id is `ready` (the console, by default).
 */
export async function openConsole(url, viewport = { width: 1280, height: 800 }, ready = 'console', timeout = 15000) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: chromiumArgs,
  });
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));
  // The wasm module's exports, for reading its memory's size.
  await page.addInitScript(() =>
    addEventListener('TrunkApplicationStarted', (event) => {
      window.__wasm = event.detail.wasm;
    }),
  );
  await page.goto(url);
  await page.getByTestId(ready).waitFor({ timeout });
  return { browser, page, errors };
}

/** Sets the simulated fleet's size through its form and waits for it. */
export async function useFleetOf(page, size) {
  await page.getByText('Fleet settings').click();
  await page.getByTestId('fleet-size').fill(String(size));
  await page.getByTestId('fleet-apply').click();
  await page.waitForFunction(
    (size) => document.querySelector("[data-testid='fleet-page']").textContent.endsWith(`of ${size}`),
    size,
  );
}

/** The audit panel's record count. */
export async function auditRecordCount(page) {
  return Number(((await page.getByTestId('audit-count').first().textContent()) ?? '').split(' ')[0]);
}

/** The wasm module's linear memory in bytes (it only ever grows). */
export async function wasmMemoryBytes(page) {
  return page.evaluate(() => window.__wasm?.memory?.buffer?.byteLength ?? null);
}

export async function screenshot(page, name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Frame times in the page over `durationMs`, measured with requestAnimationFrame.
 * With `scrollTestId`, that element is scrolled from top to bottom meanwhile.
 */
export async function frameTimes(page, durationMs, scrollTestId = null) {
  return page.evaluate(async ([duration, testid]) => {
    const target = testid && document.querySelector(`[data-testid='${testid}']`);
    const frames = [];
    let last = performance.now();
    const started = last;
    await new Promise((resolve) => {
      function frame(now) {
        frames.push(now - last);
        last = now;
        if (target) target.scrollTop = ((now - started) / duration) * target.scrollHeight;
        if (now - started < duration) requestAnimationFrame(frame);
        else resolve();
      }
      requestAnimationFrame(frame);
    });
    frames.sort((a, b) => a - b);
    const at = (q) => frames[Math.min(frames.length - 1, Math.floor(q * frames.length))];
    return {
      frames: frames.length,
      p50: at(0.5),
      p95: at(0.95),
      max: frames[frames.length - 1],
      seconds: (performance.now() - started) / 1000,
    };
  }, [durationMs, scrollTestId]);
}
