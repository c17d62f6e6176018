import os
import sys
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from accordnet.sdtw import soft_dtw, soft_dtw_divergence  # noqa: E402


def reference_soft_dtw(a, b, gamma):
    """Plain O(n·m) double loop (Cuturi & Blondel 2017), for one pair of 1-D sequences."""
    n, m = len(a), len(b)
    inf = float("inf")
    r = [[inf] * (m + 1) for _ in range(n + 1)]
    r[0][0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            prev = torch.tensor([r[i - 1][j - 1], r[i - 1][j], r[i][j - 1]], dtype=torch.float64)
            r[i][j] = float((a[i - 1] - b[j - 1]) ** 2) - gamma * float(torch.logsumexp(-prev / gamma, 0))
    return r[n][m]


class SoftDtwTest(unittest.TestCase):
    def test_matches_reference_recursion(self):
        torch.manual_seed(0)
        a, b = torch.rand(2, 7, dtype=torch.float64), torch.rand(2, 5, dtype=torch.float64)
        got = soft_dtw(a, b, 0.5)
        for k in range(2):
            self.assertAlmostEqual(float(got[k]), reference_soft_dtw(a[k].tolist(), b[k].tolist(), 0.5), places=9)

    def test_divergence_zero_for_equal_sequences(self):
        a = torch.rand(3, 16, dtype=torch.float64)
        self.assertTrue(torch.allclose(soft_dtw_divergence(a, a.clone(), 1.0), torch.zeros(3, dtype=torch.float64), atol=1e-9))

    def test_divergence_positive_for_different_sequences(self):
        torch.manual_seed(1)
        a = torch.rand(4, 16, dtype=torch.float64)
        b = a + 0.3 * torch.randn(4, 16, dtype=torch.float64)
        d = soft_dtw_divergence(a, b, 0.1)
        self.assertTrue(bool((d > 1e-6).all()), d)
        # A jump placed wrongly costs more than one placed right.
        base = torch.cat([torch.linspace(0, 0.5, 8), torch.linspace(0.2, 0.7, 8)])[None].double()
        late = torch.cat([torch.linspace(0, 0.6, 11), torch.linspace(0.3, 0.6, 5)])[None].double()
        self.assertGreater(float(soft_dtw_divergence(late, base, 0.1)), float(soft_dtw_divergence(base, base, 0.1)) + 1e-3)

    def test_gradient_numerically(self):
        torch.manual_seed(2)
        a = torch.rand(2, 6, dtype=torch.float64, requires_grad=True)
        b = torch.rand(2, 5, dtype=torch.float64, requires_grad=True)
        self.assertTrue(torch.autograd.gradcheck(lambda x, y: soft_dtw(x, y, 0.3), (a, b)))
        c = torch.rand(2, 6, dtype=torch.float64, requires_grad=True)
        self.assertTrue(torch.autograd.gradcheck(lambda x, y: soft_dtw_divergence(x, y, 0.3), (a, c)))
        self.assertTrue(torch.autograd.gradcheck(lambda x, y: soft_dtw(x, y, 0.01), (a, b)))


if __name__ == "__main__":
    unittest.main()
