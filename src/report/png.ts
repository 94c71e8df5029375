import { svgFileText } from './plot.js';

/**
 * A rendered chart as a PNG (in the browser: the SVG drawn on a canvas), at `scale` device
 * pixels per SVG pixel so that it stays sharp on a slide or a retina screen.
 */
export async function chartToPng(svg: SVGSVGElement, { scale = 2 }: { scale?: number } = {}): Promise<Blob> {
  if (!(scale > 0)) throw new RangeError(`chartToPng: scale must be > 0, got ${scale}`);
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  if (!(width > 0 && height > 0)) throw new Error('chartToPng: the SVG has no width and height (not a renderChart chart?)');
  const document = svg.ownerDocument;
  const url = URL.createObjectURL(new Blob([svgFileText(svg.cloneNode(true) as SVGSVGElement)], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('chartToPng: this browser gives no 2D canvas');
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('chartToPng: the canvas could not be encoded as PNG'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
