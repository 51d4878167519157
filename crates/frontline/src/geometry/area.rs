//! Areas on the WGS 84 ellipsoid of regions whose edges are straight in
//! longitude/latitude, integrated exactly on the authalic sphere.
//!
//! The ellipsoid maps onto the sphere of the same area (radius R_q) by the
//! authalic latitude β, preserving areas, so a region's area is
//! R_q² ∬ cos β dβ dλ = -R_q² ∮ sin β dλ (Green, counter-clockwise in the
//! lon/lat plane). With sin β = q(φ) / q_p and
//! q(φ) = (1 - e²) Σ_k (2k + 2)/(2k + 1) e^{2k} sin^{2k+1} φ, and φ linear in
//! λ along an edge, an edge contributes Δλ times the mean of q over
//! [φ1, φ2]. Since ∫ sin^{2k+1} φ dφ = -∫ (1 - u²)^k du with u = cos φ, that
//! mean is the divided difference of a polynomial G in u, times
//! (cos φ2 - cos φ1) / (φ2 - φ1) = -sin φ̄ · sin(Δφ/2) / (Δφ/2): both
//! factors are evaluated without cancellation, however short the edge.

/// WGS 84 semi-major axis, m.
const A: f64 = 6_378_137.0;
/// WGS 84 flattening.
const F: f64 = 1.0 / 298.257_223_563;
/// Terms of the series in e²: the eighth would be below 1e-17 of the first.
const TERMS: usize = 7;
/// Degree of G: the k-th term integrates to a polynomial of degree 2k + 1.
const DEGREE: usize = 2 * TERMS - 1;

/// The odd coefficients of G(u) = -Σ_k c_k e^{2k} ∫_0^u (1 - t²)^k dt:
/// `G_ODD[i]` multiplies u^{2i+1}. Computed once.
fn g_odd() -> &'static [f64; TERMS] {
    static COEFFICIENTS: std::sync::OnceLock<[f64; TERMS]> = std::sync::OnceLock::new();
    COEFFICIENTS.get_or_init(|| {
        let e2 = F * (2.0 - F);
        let mut g = [0.0; TERMS];
        // Σ_k c_k e^{2k} Σ_i C(k, i) (-1)^i u^{2i+1} / (2i + 1), summed from
        // the smallest terms up.
        for k in (0..TERMS).rev() {
            let c_k = (2 * k + 2) as f64 / (2 * k + 1) as f64 * e2.powi(k as i32);
            let mut binomial = 1.0;
            for (i, g_i) in g.iter_mut().enumerate().take(k + 1) {
                let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
                *g_i -= c_k * binomial * sign / (2 * i + 1) as f64;
                binomial = binomial * (k - i) as f64 / (i + 1) as f64;
            }
        }
        g
    })
}

/// (G(u2) - G(u1)) / (u2 - u1), from the complete homogeneous polynomials
/// h_m(u1, u2) = Σ u1^i u2^(m-i) (h_m = u2 h_{m-1} + u1^m): no subtraction,
/// since u = cos φ ≥ 0.
#[inline]
fn g_divided_difference(u1: f64, u2: f64, g: &[f64; TERMS]) -> f64 {
    let mut h = 1.0; // h_0
    let mut u1_power = 1.0; // u1^m
    let mut sum = g[0];
    for m in 1..DEGREE {
        u1_power *= u1;
        h = u2 * h + u1_power;
        if m % 2 == 0 {
            sum += g[m / 2] * h;
        }
    }
    sum
}

/// sin(x) / x, by its series for small |x| (exact to rounding below 0.05)
/// and directly above.
#[inline]
fn sinc(x: f64) -> f64 {
    if x.abs() < 0.05 {
        let x2 = x * x;
        1.0 - x2 / 6.0 * (1.0 - x2 / 20.0 * (1.0 - x2 / 42.0 * (1.0 - x2 / 72.0)))
    } else {
        x.sin() / x
    }
}

/// Signed area of one closed ring (first position repeated last) in m²,
/// counter-clockwise in lon/lat positive, edges straight in lon/lat.
///
/// Exact up to rounding for any ring in the lon/lat plane: rings larger
/// than a hemisphere, around a pole or across ±180° measure as the ground
/// they enclose in that plane.
pub(crate) fn ring_signed_area_m2(ring: &[geo::Coord<f64>]) -> f64 {
    if ring.len() < 4 {
        return 0.0;
    }
    let g = g_odd();
    let mut sum = 0.0;
    let mut previous = ring[0];
    let mut phi1 = previous.y.to_radians();
    let (mut sin1, mut cos1) = phi1.sin_cos();
    for &next in &ring[1..] {
        let phi2 = next.y.to_radians();
        let (sin2, cos2) = phi2.sin_cos();
        let d_lambda = (next.x - previous.x).to_radians();
        if d_lambda != 0.0 {
            let half = 0.5 * (phi2 - phi1);
            let (sin_half, cos_half) = if half.abs() < 0.05 {
                let h2 = half * half;
                (
                    half * sinc(half),
                    1.0 - h2 / 2.0 * (1.0 - h2 / 12.0 * (1.0 - h2 / 30.0 * (1.0 - h2 / 56.0))),
                )
            } else {
                half.sin_cos()
            };
            // sin φ̄ with φ̄ = φ1 + Δφ/2.
            let sin_mid = sin1 * cos_half + cos1 * sin_half;
            // (cos φ2 - cos φ1) / Δφ = -sin φ̄ · sinc(Δφ/2).
            let du_dphi = -sin_mid * sinc(half);
            sum += d_lambda * g_divided_difference(cos1, cos2, g) * du_dphi;
        }
        previous = next;
        phi1 = phi2;
        sin1 = sin2;
        cos1 = cos2;
    }
    // Area = -(a²(1 - e²)/2) Σ Δλ · mean q/(1 - e²) over the edges.
    let e2 = F * (2.0 - F);
    -sum * A * A * (1.0 - e2) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// q(φ)/(1 - e²) in closed form.
    fn q_closed(phi: f64) -> f64 {
        let e2 = F * (2.0 - F);
        let e = e2.sqrt();
        let s = phi.sin();
        s / (1.0 - e2 * s * s) + (e * s).atanh() / e
    }

    #[test]
    fn the_series_integrates_q() {
        // G'(cos φ) · (-sin φ) = q(φ)/(1 - e²) for every latitude.
        let g = g_odd();
        for degrees in [-90.0, -60.0, -1.0, 0.0, 0.5, 30.0, 45.0, 89.0, 90.0_f64] {
            let phi = degrees.to_radians();
            let u = phi.cos();
            let q = -g_divided_difference(u, u, g) * phi.sin();
            assert!((q - q_closed(phi)).abs() < 1e-15, "{degrees}: {q}");
        }
    }

    #[test]
    fn a_band_has_the_closed_form_area() {
        // The band between two parallels, all the way round, as one ring.
        let e2 = F * (2.0 - F);
        for (south, north) in [(0.0, 1.0), (-30.0, 60.0), (10.0, 10.01), (-90.0, 90.0)] {
            let ring: Vec<geo::Coord<f64>> = [
                (-180.0, south),
                (180.0, south),
                (180.0, north),
                (-180.0, north),
                (-180.0, south),
            ]
            .into_iter()
            .map(|(x, y)| geo::Coord { x, y })
            .collect();
            let expected = std::f64::consts::TAU * A * A * (1.0 - e2) / 2.0
                * (q_closed(f64::to_radians(north)) - q_closed(f64::to_radians(south)));
            let got = ring_signed_area_m2(&ring);
            assert!(
                ((got - expected) / expected).abs() < 1e-9,
                "{south}..{north}: {got} vs {expected}"
            );
        }
    }

    #[test]
    fn splitting_an_edge_changes_nothing() {
        let ring = |points: &[(f64, f64)]| -> Vec<geo::Coord<f64>> {
            points.iter().map(|&(x, y)| geo::Coord { x, y }).collect()
        };
        let whole = ring(&[(0.0, 10.0), (40.0, 70.0), (-5.0, 60.0), (0.0, 10.0)]);
        let split = ring(&[
            (0.0, 10.0),
            (10.0, 25.0),
            (30.0, 55.0),
            (40.0, 70.0),
            (-5.0, 60.0),
            (0.0, 10.0),
        ]);
        let (a, b) = (ring_signed_area_m2(&whole), ring_signed_area_m2(&split));
        assert!(((a - b) / a).abs() < 1e-14, "{a} vs {b}");
    }
}
