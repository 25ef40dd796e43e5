/**
 * The width a chart is drawn at, in CSS pixels. A chart whose viewBox matches its real width keeps its
 * text at the stylesheet's size: a fixed viewBox scaled down to a phone's card shrank tick labels to 7 px.
 */
import { useEffect, useRef, useState, type RefObject } from 'react';

export function useWidth<T extends HTMLElement>(initial: number, min: number, max: number): [RefObject<T>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(initial);
  useEffect(() => {
    const element = ref.current;
    if (element === null || typeof ResizeObserver === 'undefined') return;
    let frame = 0;
    const observer = new ResizeObserver((entries) => {
      const measured = entries[0]?.contentRect.width ?? 0;
      if (measured <= 0) return;
      // on the next frame: a resize inside the observer's callback would be reported as a loop error
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => setWidth(Math.min(max, Math.max(min, Math.round(measured)))));
    });
    observer.observe(element);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, [min, max]);
  return [ref, width];
}
