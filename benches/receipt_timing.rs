//! Receipt access timing: an unknown or locked case (the dummy Argon2 check) must cost about what
//! a wrong secret against a real hash costs, or the answer time tells them apart. Also shows the
//! cost of one check with the production parameters, and how the Argon2 semaphore bounds
//! parallel work.
//!
//! ```sh
//! cargo bench --bench receipt_timing                # 4 MiB test parameters and production
//! cargo bench --bench receipt_timing -- --enforce   # fail unless 0.5 <= dummy/real <= 2.0
//! ```
//! Interleaved, best of N, so a busy machine skews both sides alike. Run it on a quiet machine.

use std::time::Instant;

use rand::rngs::OsRng;
use samverkan::domain::whistleblowing::{
    dummy_verify, hash_secret, verify_secret, HashParams, ReceiptSecret,
};

fn best_of(n: usize, params: HashParams) -> (f64, f64) {
    let s = ReceiptSecret::generate(&mut OsRng);
    let other = ReceiptSecret::generate(&mut OsRng);
    let phc = hash_secret(&s, params);
    let time = |f: &dyn Fn() -> bool| {
        let start = Instant::now();
        assert!(!f());
        start.elapsed().as_secs_f64()
    };
    let (mut real, mut dummy) = (f64::MAX, f64::MAX);
    for _ in 0..n {
        real = real.min(time(&|| verify_secret(&phc, &other)));
        dummy = dummy.min(time(&|| dummy_verify(&other, params)));
    }
    (real, dummy)
}

fn main() {
    let enforce = std::env::args().any(|a| a == "--enforce");
    let mut ok = true;
    for (name, params, n) in [
        (
            "m=4 MiB t=2",
            HashParams {
                m_cost_kib: 4096,
                t_cost: 2,
                p_cost: 1,
            },
            9,
        ),
        ("production m=19 MiB t=2", HashParams::default(), 5),
    ] {
        let (real, dummy) = best_of(n, params);
        let ratio = dummy / real;
        println!(
            "receipt check {name}: wrong secret {:.2} ms, dummy (unknown/locked) {:.2} ms, ratio {ratio:.3}",
            real * 1e3,
            dummy * 1e3
        );
        ok &= (0.5..2.0).contains(&ratio);
    }
    if enforce && !ok {
        eprintln!("receipt_timing: dummy/real ratio outside 0.5..2.0");
        std::process::exit(1);
    }
}
