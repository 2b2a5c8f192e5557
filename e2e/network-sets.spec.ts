import { expect, test, type Locator } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";

/** 10 000 lines: comments, /32s and /24s, repeats, addresses inside listed /24s. */
function bigList(bad: boolean): string {
  const lines = ["# partner ranges exported from the firewall", "cidr,owner"];
  for (let i = 0; i < 9_990; i++) {
    const a = 10 + (i % 40);
    const b = Math.floor(i / 40) % 256;
    if (i % 10 === 0) lines.push(`${a}.${b}.0.0/24,partner-${i % 7}`);
    else if (i % 10 === 1) lines.push(`${a}.${b}.0.${i % 250}`);
    else lines.push(`${a}.${b}.${1 + (i % 200)}.${i % 250} # host`);
  }
  if (bad) lines.push("10.999.0.1");
  while (lines.length < 10_000) lines.push("");
  return lines.join("\n");
}

/** Pastes text into a textarea the way a browser does: one input event with the whole text. */
async function paste(textarea: Locator, text: string): Promise<void> {
  await textarea.evaluate((el, value) => {
    const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!;
    setter.call(el, value);
    el.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertFromPaste" }));
  }, text);
}

test("an author creates a network set from a pasted 10 000-line list, with per-line errors first", async ({ page }) => {
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole("link", { name: "Network sets" }).click();
  await page.getByRole("button", { name: "New network set" }).click();
  const dialog = page.getByRole("dialog", { name: "New network set" });
  await dialog.getByLabel("Name", { exact: true }).fill("partner-ranges");
  await dialog.getByLabel("Labels").fill("kind=partner owner=netops");
  await paste(dialog.getByLabel("CIDR list", { exact: true }), bigList(true));
  const analysis = dialog.getByTestId("cidr-analysis");
  await expect(analysis).toContainText("could not be read");
  await expect(analysis).toContainText("line 9993");
  await expect(dialog.getByRole("button", { name: "Propose in a change request" })).toBeDisabled();
  await page.screenshot({ path: "test-results/screens/network-set-errors.png", fullPage: true });

  // The corrected list comes as an uploaded file this time.
  await dialog.getByLabel("Upload CIDR list").setInputFiles({ name: "partners.csv", mimeType: "text/csv", buffer: Buffer.from(bigList(false)) });
  await expect(analysis).not.toContainText("could not be read");
  await expect(analysis).toContainText("header line 2 skipped");
  await expect(analysis).toContainText("9,990 entries");
  await expect(analysis).toContainText("covered by larger ranges");
  await dialog.getByRole("button", { name: "Propose in a change request" }).click();
  await expect(page).toHaveURL(/\/changes\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("change-item-GlobalNetworkSet-partner-ranges")).toBeVisible();
  await expect(page.getByTestId("change-state")).toHaveText("draft");
});
