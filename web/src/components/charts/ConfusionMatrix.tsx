/**
 * The confusion matrix as a real table (rows: what was true, columns: what the model said), with each
 * cell shaded by its share of its row so the diagonal — the correct answers — stands out.
 */
export function ConfusionMatrix({ labels, counts }: { labels: readonly string[]; counts: readonly (readonly number[])[] }) {
  return (
    <table className="confusion">
      <caption>Rows: the true answer. Columns: what the model said.</caption>
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">True answer</span>
          </th>
          {labels.map((l) => (
            <th key={l} scope="col">
              said {l}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {counts.map((row, i) => {
          const total = row.reduce((a, b) => a + b, 0) || 1;
          return (
            <tr key={labels[i] ?? i}>
              <th scope="row">was {labels[i]}</th>
              {row.map((c, j) => (
                <td key={j} className={i === j ? 'diagonal' : 'off-diagonal'} style={{ ['--share' as string]: String(c / total) }}>
                  {c.toLocaleString('en-US')}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
