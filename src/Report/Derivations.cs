namespace RnnVerify.Report;

/// <summary>
/// The derivation of each section of the catalogue in the lecture's manner, as markdown with LaTeX (GitHub renders
/// <c>$…$</c> and <c>$$…$$</c>). The entry's own proof sketch (<c>Entry.Proof</c>) is printed beside it; this text
/// gives the argument the sketch abbreviates. Sections follow the catalogue's numbering (docs/theory.md).
/// </summary>
internal static class Derivations
{
    /// <summary>The catalogue section of an entry id such as "04 BiboBound" (its leading number), or −1.</summary>
    public static int Section(string id)
    {
        int n = 0, k = 0;
        while (k < id.Length && char.IsAsciiDigit(id[k])) n = (10 * n) + (id[k++] - '0');
        return k == 0 ? -1 : n;
    }

    /// <summary>The derivation for <paramref name="section"/>, or null when none is written for it.</summary>
    public static string? For(int section) => section switch
    {
        1 => """
            **Superposition by unrolling the recursion.** For $h_t = W h_{t-1} + U x_t$, substitute the recursion into itself:

            $$
            h_t = W(W h_{t-2} + U x_{t-1}) + U x_t = \dots = W^{t+1} h_{-1} + \sum_{k=0}^{t} W^{t-k} U x_k .
            $$

            Every term is linear in $(h_{-1}, x_0, \dots, x_t)$, so the map $(h_{-1}, x) \mapsto h_t$ is linear:
            $h_t(a h + b h', a x + b x') = a\, h_t(h, x) + b\, h_t(h', x')$. Taking unit inputs
            $1_k$ shows $h_t = H_t(1_{-1}) h_{-1} + \sum_k x_k H_t(1_k)$. In exact arithmetic the two sides are equal;
            in floating point each side is rounded separately, and the difference is bounded by the accumulated rounding error.
            """,
        2 => """
            **Impulse response.** Feed a single unit input at step $k$ from rest ($h_{-1} = 0$, $x_j = 0$ for $j \ne k$).
            The unrolled recursion leaves one term:

            $$
            H_t(1_k) = W^{t-k} U \quad (t \ge k), \qquad H_t(1_k) = 0 \quad (t < k).
            $$

            So the network is the convolution $h_t = \sum_k H_{t-k} x_k$ with kernel $H_j = W^j U$, plus the free response $W^{t+1} h_{-1}$.
            """,
        3 => """
            **Growth by eigen-decomposition.** With $W = V \Lambda V^{-1}$ and $h_{-1} = \sum_i c_i v_i$,

            $$
            W^t h_{-1} = V \Lambda^t V^{-1} h_{-1} = \sum_i c_i \lambda_i^t v_i ,
            \qquad
            \frac{\lVert W^t h_{-1} \rVert}{|\lambda_1|^t} \to |c_1| \lVert v_1 \rVert
            \text{ with error } O\!\left(|\lambda_2 / \lambda_1|^t\right).
            $$

            Hence $\log \lVert h_t \rVert \approx t \log|\lambda_1| + \text{const}$; when $c_1 = 0$ the second eigenvalue governs,
            $\log \lVert h_t \rVert \approx t \log|\lambda_2|$ — in exact arithmetic for ever, in floating point only until rounding
            gives the top direction a component of order $\varepsilon$, which then grows like $(|\lambda_1|/|\lambda_2|)^t$ relative to the rest.
            Gelfand's formula $\rho(W) = \lim_t \lVert W^t \rVert^{1/t}$ and $\rho^t \le \lVert W^t \rVert \le \kappa(V) \rho^t$ bracket the growth;
            a rotation by $\theta$ scaled by $r$ gives $\lVert W^t h \rVert_2 = r^t \lVert h \rVert_2$, a Jordan block of size $m$ gives $t^{m-1} |\lambda|^t$.
            """,
        4 => """
            **The BIBO bound as a geometric series.** Take norms in the unrolled recursion (section 1) with $\lVert x_k \rVert \le B$:

            $$
            \lVert h_t \rVert \le \lVert W^{t+1} \rVert \lVert h_{-1} \rVert + \lVert U \rVert B \sum_{k=0}^{t} \lVert W^k \rVert
            \le \kappa(V) \left( \lVert h_{-1} \rVert + \frac{\lVert U \rVert B}{1 - \rho} \right)
            \quad\text{using } \lVert W^k \rVert \le \kappa(V) \rho^k,\ \rho < 1 .
            $$

            Conversely, bounded inputs give bounded states only if $\sum_j \lVert W^j U \rVert < \infty$: the input
            $x_k = B\,\mathrm{sign}\big((W^{t-k}U)_{i\cdot}\big)$ attains $|(h_t)_i| = B \sum_k \lVert (W^{t-k} U)_{i\cdot} \rVert_1$.
            With $\rho \ge 1$ on the controllable part this sum diverges (e.g. $W = 1$, $x \equiv 1$ gives $h_t = t + 1 + h_{-1}$);
            an unstable mode that the input cannot reach stays at rest.
            """,
        5 => """
            **Bounded activations.** If $|\varphi| \le 1$ then $\lVert h_t \rVert_\infty = \lVert \varphi(a_t) \rVert_\infty \le 1$ whatever the weights and inputs;
            $\tanh$ maps $\mathbb{R}$ into $(-1, 1)$ and the sigmoid into $(0, 1)$. A ReLU recursion $h_t = \max(0, w h_{t-1} + x_t)$ with $w \ge 1$, $x \equiv 1$
            grows like $t$: no bound independent of the weights exists.
            """,
        6 => """
            **BPTT by the chain rule; the Pascanu bound.** With $h_t = \varphi(a_t)$, $a_t = W h_{t-1} + U x_t + b$,

            $$
            \frac{\partial h_t}{\partial h_k} = \prod_{j=k+1}^{t} \operatorname{diag}\!\big(\varphi'(a_j)\big) W ,
            \qquad
            \left\lVert \frac{\partial h_t}{\partial h_k} \right\rVert_2 \le \big(\gamma\, \sigma_{\max}(W)\big)^{t-k},
            \quad \gamma = \sup |\varphi'| .
            $$

            ($\gamma = 1$ for tanh, $\tfrac14$ for the sigmoid.) When $\gamma \sigma_{\max} < 1$ the gradient vanishes geometrically in the lag
            (Pascanu, Mikolov & Bengio 2013, arXiv:1211.5063); growth needs $\sigma_{\max} > 1/\gamma$ (necessary, not sufficient).
            """,
        7 => """
            **Contraction.** If the transition $h \mapsto \varphi(W h + U x + b)$ is $\lambda$-Lipschitz with $\lambda = \lVert W \rVert L_\varphi < 1$ for every $x$,
            two trajectories under the same inputs satisfy $\lVert h_t - h'_t \rVert \le \lambda^{t+1} \lVert h_{-1} - h'_{-1} \rVert$,
            and truncating the history to $k$ steps changes the state by at most $\lambda^k \lVert h_{t-k} - h'_{t-k} \rVert$
            (Miller & Hardt 2019, arXiv:1805.10369).
            """,
        8 => """
            **The constant error carousel.** With $c_t = f_t \odot c_{t-1} + i_t \odot g_t$ and $h$ held fixed,

            $$
            \frac{\partial c_t}{\partial c_{t-1}} = \operatorname{diag}(f_t), \qquad
            \frac{\partial c_t}{\partial c_k} = \prod_{j=k+1}^{t} \operatorname{diag}(f_j),
            $$

            so with $f \equiv 1$ the error flows unattenuated over any number of steps. Since $|i \odot g| < 1$,
            $\lVert c_t \rVert_\infty \le \lVert c_{t-1} \rVert_\infty + 1$, and with $f \le f_{\max} < 1$, $i \le i_{\max}$ the geometric series gives
            $\lVert c_t \rVert_\infty \le \max\!\big(\lVert c_0 \rVert_\infty, i_{\max}/(1 - f_{\max})\big)$; $h_t = o_t \odot \tanh(c_t)$ gives $|h_t| < 1$.
            """,
        9 => """
            **GRU as a convex combination.** $h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$ with $z_t \in (0, 1)$ and $|n_t| < 1$, so each component of $h_t$
            lies between those of $n_t$ and $h_{t-1}$: $\lVert h_t \rVert_\infty \le \max(\lVert h_{t-1} \rVert_\infty, 1)$, and by induction
            $\lVert h_t \rVert_\infty \le \max(\lVert h_{-1} \rVert_\infty, 1)$.
            """,
        10 => """
            **BPTT is the gradient.** Reverse-mode differentiation of the unrolled graph applies the chain rule once per edge:
            $\bar h_{t-1} = W^\top(\varphi'(a_t) \odot \bar h_t) + \partial L / \partial h_{t-1}$, $\bar W \mathrel{+}= (\varphi'(a_t) \odot \bar h_t) h_{t-1}^\top$.
            A central difference has truncation error $\tfrac{\delta^2}{6} M_3$ and rounding error about $\varepsilon |L| / \delta$; their sum is smallest
            near $\delta \approx (3 \varepsilon / M_3)^{1/3}$, which fixes the tolerance. $M_3 \ge \sup_{|s| \le \delta} |\varphi'''(s)|$ for
            $\varphi(s) = L(\theta + s v)$ is enclosed rigorously: the exact network runs on nested dual numbers
            $\theta + (\epsilon_1 + \epsilon_2 + \epsilon_3) v$ ($\epsilon_i^2 = 0$) whose values are balls covering the whole segment, and the
            coefficient of $\epsilon_1 \epsilon_2 \epsilon_3$ is $\varphi'''$. In ball arithmetic (theorem 10b) the reverse-mode, forward-mode and
            difference enclosures of $\varphi'(0)$ each contain the exact derivative, so they must intersect, and a narrow hull proves agreement:

            $$
            \Big| \frac{\varphi(\delta) - \varphi(-\delta)}{2\delta} - \varphi'(0) \Big| \le \frac{\delta^2}{6} M_3 .
            $$
            """,
        11 => """
            **The lecture's networks.** A recurrent network carries state across steps, so one fixed set of weights serves inputs of any length:
            binary addition needs one bit of carry, parity one bit of accumulated XOR; each step is a fixed threshold circuit, correct by
            induction on the length. A feed-forward network built for $N$ bits has no input for bit $N+1$, so it fails on some $(N+1)$-bit input.
            """,
        _ => null,
    };
}
