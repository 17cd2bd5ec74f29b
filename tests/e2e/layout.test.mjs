// The console at the three sizes a reviewer works at: 1440×900, 1280×720 and a
// 390×844 phone. At each: nothing scrolls sideways, the simulation's controls
// and the kill switch are on screen before and after scrolling (the header
// sticks), the audit trail's verdict and reason are inside the window, an
// inbox item's buttons are on screen, a record opens to its detail, the spend
// chart has labelled axes inside the window and a readout under the pointer,
// and the policy form shows four wrong fields at once. Screenshots of the
// inbox, the audit detail, the charts and the form's errors land in
// artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, openConsole, artifactsDir } from './support.mjs';

/** What the window shows (not the whole page), into artifacts/. */
async function screenshot(page, name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
}

const sizes = [
  { width: 1440, height: 900, name: '1440' },
  { width: 1280, height: 720, name: '1280' },
  { width: 390, height: 844, name: '390' },
];

/** The element's box in the window, or null when it is not rendered. */
async function box(locator) {
  return locator.evaluate((el) => {
    const b = el.getBoundingClientRect();
    return { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
  });
}

function inWindow(b, size, what) {
  assert.ok(b.left >= 0 && b.right <= size.width, `${what} is across ${b.left}..${b.right} of ${size.width} px`);
  assert.ok(b.top >= 0 && b.bottom <= size.height, `${what} is down ${b.top}..${b.bottom} of ${size.height} px`);
}

/** The page's width with every panel drawn. A panel out of view is skipped
 * (`content-visibility: auto`), and a skipped panel clips what overflows it,
 * which would hide an overflow from the measurement. */
async function widthAllDrawn(page) {
  return page.evaluate(() => {
    const style = document.createElement('style');
    style.textContent = '.panel { content-visibility: visible !important; }';
    document.head.append(style);
    const width = document.documentElement.scrollWidth;
    style.remove();
    return width;
  });
}

for (const size of sizes) {
  test(`the console fits and stays in reach at ${size.width}×${size.height}`, async () => {
    const server = await serveDist('/');
    const { browser, page, errors } = await openConsole(server.url, { width: size.width, height: size.height });
    try {
      await page.getByTestId('sim-speed').selectOption('10');
      await page.getByTestId('inbox-item').first().waitFor({ timeout: 20000 });
      // Paused, so what is checked stays put.
      await page.getByTestId('sim-play').click();

      assert.equal(await widthAllDrawn(page), size.width, 'nothing scrolls sideways');
      for (const id of ['sim-play', 'sim-speed', 'kill-switch-quick']) {
        inWindow(await box(page.getByTestId(id)), size, `${id} on arrival`);
      }

      // An inbox item's actions are on screen once it is scrolled to.
      const item = page.getByTestId('inbox-item').first();
      await item.scrollIntoViewIfNeeded();
      for (const id of ['inbox-approve', 'inbox-deny']) {
        const b = await box(item.getByTestId(id));
        assert.ok(b.right <= size.width, `${id} ends at ${b.right} of ${size.width} px`);
      }
      await screenshot(page, `layout-${size.name}-inbox`);

      // Down at the audit trail the header is still there, and each row's
      // verdict and reason are inside the window.
      const audit = page.getByTestId('panel-audit');
      await audit.scrollIntoViewIfNeeded();
      for (const id of ['sim-play', 'kill-switch-quick']) {
        inWindow(await box(page.getByTestId(id)), size, `${id} after scrolling`);
      }
      const row = page.getByTestId('audit-row').first();
      const reason = await box(row.getByTestId('audit-reason'));
      assert.ok(reason.left >= 0 && reason.right <= size.width, `the reason is across ${reason.left}..${reason.right}`);
      const verdict = await box(row.locator('.badge'));
      assert.ok(verdict.right <= size.width, `the verdict ends at ${verdict.right}`);

      // A fleet card's controls are on screen on a phone, and a table row's
      // on the wide screens.
      const halt = page.getByTestId('agent-halt').first();
      await halt.scrollIntoViewIfNeeded();
      assert.ok((await box(halt)).right <= size.width, 'the fleet controls are not clipped');

      // A record opens to its detail.
      await audit.scrollIntoViewIfNeeded();
      await row.click();
      await page.getByTestId('audit-detail').waitFor();
      assert.match(await page.getByTestId('audit-detail').textContent(), /Record: #\d+/);
      await page.getByTestId('audit-detail').scrollIntoViewIfNeeded();
      await screenshot(page, `layout-${size.name}-audit-detail`);
      assert.match(await page.getByTestId('audit-detail').textContent(), /Each policy, in the order consulted/);

      // The spend chart: money and time axes with labels, inside the window,
      // and a readout under the pointer.
      const plot = page.getByTestId('chart-spend-plot');
      await plot.scrollIntoViewIfNeeded();
      const x = await page.getByTestId('chart-spend-axis-x').locator('span').allTextContents();
      assert.ok(x.length >= 2 && x[0] === '0:00:00', `time ticks ${x}`);
      const y = await page.getByTestId('chart-spend-axis-y').locator('span').allTextContents();
      assert.ok(y.length >= 2 && y.every((t) => t.startsWith('$')), `money ticks ${y}`);
      for (const id of ['chart-spend-axis-x', 'chart-spend-axis-y']) {
        for (const tick of await page.getByTestId(id).locator('span').all()) {
          const b = await box(tick);
          assert.ok(b.left >= 0 && b.right <= size.width, `${id} tick across ${b.left}..${b.right}`);
        }
      }
      const area = await box(plot);
      await page.mouse.move((area.left + area.right) / 2, (area.top + area.bottom) / 2);
      assert.match(await page.getByTestId('chart-spend-readout').textContent(), /^\d+:\d\d:\d\d: spend \$/);
      await screenshot(page, `layout-${size.name}-charts`);

      // The policy form with four wrong fields says all four at once, each
      // beside its field (three of them in one screenshot).
      await page.getByTestId('policy-section-budget').locator('summary').click();
      await page.getByTestId('policy-timeout').fill('-5');
      await page.getByTestId('policy-budget-limit-budget').fill('-1');
      await page.getByTestId('policy-escalate-percent-budget').fill('250');
      await page.getByTestId('policy-budget-window-budget').fill('soon');
      await page.getByTestId('policy-apply').click();
      for (const id of ['policy-timeout-error', 'policy-budget-limit-budget-error',
        'policy-escalate-percent-budget-error', 'policy-budget-window-budget-error']) {
        assert.notEqual((await page.getByTestId(id).textContent()).trim(), '', `${id} is shown`);
      }
      assert.match(await page.getByTestId('policy-error-summary').textContent(), /4/);
      await page.getByTestId('policy-budget-limit-budget').scrollIntoViewIfNeeded();
      await screenshot(page, `layout-${size.name}-form-errors`);
      assert.equal(await widthAllDrawn(page), size.width, 'nothing scrolls sideways with the charts and errors drawn');
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  });
}
