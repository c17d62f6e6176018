/** Sizes a canvas's backing store to its CSS size × devicePixelRatio and clears it to `background`; null without a 2-D context. */
export function prepareCanvas(
  canvas: HTMLCanvasElement,
  background: string,
): { ctx: CanvasRenderingContext2D; w: number; h: number } | null {
  const dpr = globalThis.devicePixelRatio || 1;
  const w = Math.max(1, canvas.clientWidth);
  const h = Math.max(1, canvas.clientHeight);
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, w, h);
  return { ctx, w, h };
}
