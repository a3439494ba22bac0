package surge.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Ranks 0..n-1 drawn with probability proportional to {@code 1 / (rank + 1)^s}: rank 0 is the most
 * popular. Inverse-CDF sampling over a precomputed table (n doubles), so one draw is a binary search.
 * StrictMath keeps the table, and so every draw, identical on every JVM.
 */
final class Zipf {
  private final double[] cdf;

  Zipf(int n, double exponent) {
    if (n < 1) throw new IllegalArgumentException("a Zipf distribution needs at least one rank");
    cdf = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1 / StrictMath.pow(k + 1, exponent);
      cdf[k] = sum;
    }
    for (int k = 0; k < n; k++) cdf[k] /= sum;
    cdf[n - 1] = 1.0; // no rounding gap at the top
  }

  int size() {
    return cdf.length;
  }

  int sample(SplittableRandom random) {
    int i = Arrays.binarySearch(cdf, random.nextDouble());
    return i >= 0 ? i : Math.min(-i - 1, cdf.length - 1);
  }
}
