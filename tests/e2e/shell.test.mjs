// The release build loads in a real browser without errors and shows the shell.
// This is what catches release-only breakage such as an incompatible wasm-opt.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, openConsole, screenshot } from './support.mjs';

const panels = [
  'panel-kill-switch',
  'panel-fleet',
  'panel-inbox',
  'panel-policies',
  'panel-charts',
  'panel-audit',
  'panel-triggers',
  'panel-risk',
];

for (const basePath of ['/', '/tools/governance/']) {
  test(`the release build renders the console without errors under ${basePath}`, async () => {
    const server = await serveDist(basePath);
    const { browser, page, errors } = await openConsole(server.url);
    try {
      await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Agent Governance Console' }).waitFor());
      for (const panel of panels) {
        assert.equal(await page.getByTestId(panel).count(), 1, `${panel} is rendered once`);
      }
      await page.waitForTimeout(500);
      if (basePath === '/') await screenshot(page, 'shell');
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  });
}

/** WCAG relative luminance of a CSS `rgb(…)` colour. */
function luminance(css) {
  const [r, g, b] = css.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('the keyboard focus ring stands out and the run button says what it does', async () => {
  const server = await serveDist('/');
  const { browser, page, errors } = await openConsole(server.url);
  try {
    const play = page.getByTestId('sim-play');
    await play.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const ring = await play.evaluate((el) => {
      const style = getComputedStyle(el);
      return {
        focused: el.matches(':focus-visible'),
        outline: style.outlineColor,
        width: parseFloat(style.outlineWidth),
        page: getComputedStyle(document.body).backgroundColor,
        // The button sits in the sticky header now.
        panel: getComputedStyle(el.closest('.console-header')).backgroundColor,
      };
    });
    assert.ok(ring.focused, 'the button shows keyboard focus');
    assert.ok(ring.width >= 2, `the ring is ${ring.width}px wide`);
    for (const background of [ring.page, ring.panel]) {
      const ratio = contrast(ring.outline, background);
      assert.ok(ratio >= 3, `focus ring ${ring.outline} on ${background}: ${ratio.toFixed(2)}:1`);
    }
    // A button whose label changes with the state is not also a toggle.
    assert.equal(await play.getAttribute('aria-pressed'), null);
    assert.equal((await play.textContent()).trim(), 'Pause', 'while the run goes on');
    await play.click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="sim-play"]').textContent.trim() === 'Play');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
