#!/usr/bin/env python3
"""Extra PyTorch fixtures for the loss family: option combinations that golden/ops/loss.json does not cover
(class weights with label smoothing and ignore_index, spatial and unbatched inputs, probability targets,
gradients with respect to float targets, broadcast targets, kl_div log_target and mean).

Usage (Debian's python3-torch 1.13, as gen_golden.py):
    /usr/bin/python3 src/test/python/gen_loss_extra.py ../shared/golden src/test/resources/golden/ops/loss_extra.json

The first argument is the folder holding gen_golden.py, whose case builder (inputs seeded by the case name,
float32 checked against float64, gradients checked with gradcheck) and JSON format are reused unchanged.
"""
import os
import sys
import warnings

warnings.filterwarnings("ignore", category=UserWarning)  # broadcast targets and kl_div 'mean' warn on purpose

sys.path.insert(0, os.path.abspath(sys.argv[1]))
import gen_golden as g  # noqa: E402
from gen_golden import spec, F32, F64  # noqa: E402


def specs():
    out = []
    ce_full = ("F.cross_entropy(input, target, weight=weight, reduction={reduction}, ignore_index={ignore_index}, "
               "label_smoothing={label_smoothing})")

    def weighted_ignored(n, c, *spatial):
        def make(r):
            t = r.randint(0, c, n, *spatial)
            t.view(-1)[1] = 1
            t.view(-1)[-1] = 1
            return {"input": r.randn(n, c, *spatial, scale=1.5), "target": t, "weight": r.uniform(0.2, 2.0, c)}
        return make
    for red in ["mean", "sum", "none"]:
        for dt, suffix in [(F32, ""), (F64, "_f64")]:
            out.append(spec(f"ce_weight_ls_ignore_{red}_6x4{suffix}", "cross_entropy", ce_full,
                            weighted_ignored(6, 4), {"reduction": red, "ignore_index": 1, "label_smoothing": 0.2},
                            dtype=dt, frozen=("weight",)))
    for red in ["mean", "none"]:
        out.append(spec(f"ce_spatial_weight_ls_ignore_{red}_2x3x4_f64", "cross_entropy", ce_full,
                        weighted_ignored(2, 3, 4), {"reduction": red, "ignore_index": 1, "label_smoothing": 0.3},
                        dtype=F64, frozen=("weight",)))
    out.append(spec("ce_spatial_weight_sum_2x3x2x3", "cross_entropy", ce_full, weighted_ignored(2, 3, 2, 3),
                    {"reduction": "sum", "ignore_index": -100, "label_smoothing": 0.0}, frozen=("weight",)))
    out.append(spec("ce_label_smoothing_1_sum_3x4_f64", "cross_entropy",
                    "F.cross_entropy(input, target, reduction={reduction}, label_smoothing={label_smoothing})",
                    lambda r: {"input": r.randn(3, 4), "target": r.randint(0, 4, 3)},
                    {"reduction": "sum", "label_smoothing": 1.0}, dtype=F64))
    for red in ["mean", "none"]:
        out.append(spec(f"ce_unbatched_{red}_5_f64", "cross_entropy",
                        "F.cross_entropy(input, target, reduction={reduction}, label_smoothing={label_smoothing})",
                        lambda r: {"input": r.randn(5), "target": r.randint(0, 5)},
                        {"reduction": red, "label_smoothing": 0.1}, dtype=F64))
    # probability targets
    prob = "F.cross_entropy(input, target, reduction={reduction})"
    prob_full = ("F.cross_entropy(input, target, weight=weight, reduction={reduction}, "
                 "label_smoothing={label_smoothing})")
    for red in ["mean", "sum", "none"]:
        out.append(spec(f"ce_prob_{red}_4x5_f64", "cross_entropy", prob,
                        lambda r: {"input": r.randn(4, 5), "target": r.probs(4, 5)}, {"reduction": red}, dtype=F64))
        out.append(spec(f"ce_prob_weight_ls_{red}_4x5_f64", "cross_entropy", prob_full,
                        lambda r: {"input": r.randn(4, 5), "target": r.probs(4, 5),
                                   "weight": r.uniform(0.2, 2.0, 5)},
                        {"reduction": red, "label_smoothing": 0.2}, dtype=F64, frozen=("weight",)))
    out.append(spec("ce_prob_spatial_mean_2x3x2x2", "cross_entropy", prob,
                    lambda r: {"input": r.randn(2, 3, 2, 2), "target": r.probs(2, 3, 2, 2)}, {"reduction": "mean"}))
    out.append(spec("ce_prob_unbatched_none_4_f64", "cross_entropy", prob,
                    lambda r: {"input": r.randn(4), "target": r.probs(4, dim=0)}, {"reduction": "none"}, dtype=F64))
    # nll_loss
    nll_full = "F.nll_loss(input, target, weight=weight, reduction={reduction}, ignore_index={ignore_index})"

    def nll_in(n, c, *spatial):
        def make(r):
            t = r.randint(0, c, n, *spatial)
            t.view(-1)[0] = 2
            return {"input": r.log_probs(n, c, *spatial), "target": t, "weight": r.uniform(0.2, 2.0, c)}
        return make
    for red in ["mean", "sum", "none"]:
        out.append(spec(f"nll_spatial_weight_ignore_{red}_2x3x2x2_f64", "nll_loss", nll_full, nll_in(2, 3, 2, 2),
                        {"reduction": red, "ignore_index": 2}, dtype=F64, frozen=("weight",)))
    out.append(spec("nll_unbatched_mean_4", "nll_loss", "F.nll_loss(input, target, reduction={reduction})",
                    lambda r: {"input": r.log_probs(4, dim=0), "target": r.randint(0, 4)}, {"reduction": "mean"}))

    # regression losses with gradients for the target, and broadcast targets
    def regression(shape, tshape, points):
        def make(r):
            x = r.randn(*shape)
            t = r.randn(*tshape)
            d = r.away_from(x - t, points)
            return {"input": x, "target": x - d if tshape == shape else t}
        return make
    for red in ["mean", "none"]:
        out.append(spec(f"mse_target_grad_{red}_3x4_f64", "mse_loss",
                        "F.mse_loss(input, target, reduction={reduction})", regression((3, 4), (3, 4), []),
                        {"reduction": red}, dtype=F64))
        out.append(spec(f"l1_target_grad_{red}_3x4_f64", "l1_loss", "F.l1_loss(input, target, reduction={reduction})",
                        regression((3, 4), (3, 4), [0.0]), {"reduction": red}, dtype=F64))
        out.append(spec(f"smooth_l1_target_grad_{red}_3x4_f64", "smooth_l1_loss",
                        "F.smooth_l1_loss(input, target, reduction={reduction}, beta={beta})",
                        regression((3, 4), (3, 4), [0.0, 0.7, -0.7]), {"reduction": red, "beta": 0.7}, dtype=F64))
    out.append(spec("smooth_l1_beta0_sum_3x4_f64", "smooth_l1_loss",
                    "F.smooth_l1_loss(input, target, reduction={reduction}, beta={beta})",
                    regression((3, 4), (3, 4), [0.0]), {"reduction": "sum", "beta": 0.0}, dtype=F64))

    out.append(spec("mse_broadcast_target_mean_3x4_4_f64", "mse_loss",
                    "F.mse_loss(input, target, reduction={reduction})",
                    lambda r: {"input": r.randn(3, 4), "target": r.randn(4)}, {"reduction": "mean"}, dtype=F64))
    out.append(spec("mse_broadcast_input_sum_1x4_3x1_f64", "mse_loss",
                    "F.mse_loss(input, target, reduction={reduction})",
                    lambda r: {"input": r.randn(1, 4), "target": r.randn(3, 1)}, {"reduction": "sum"}, dtype=F64))
    # bce with logits
    bce_full = ("F.binary_cross_entropy_with_logits(input, target, weight=weight, reduction={reduction}, "
                "pos_weight=pos_weight)")
    for red in ["mean", "sum", "none"]:
        out.append(spec(f"bce_target_grad_weight_pos_weight_{red}_3x4_f64", "binary_cross_entropy_with_logits",
                        bce_full, lambda r: {"input": r.randn(3, 4, scale=2.0), "target": r.uniform(0, 1, 3, 4),
                                             "weight": r.uniform(0.5, 1.5, 4), "pos_weight": r.uniform(0.5, 3, 4)},
                        {"reduction": red}, dtype=F64, frozen=("weight", "pos_weight")))
    out.append(spec("bce_target_grad_none_2x3", "binary_cross_entropy_with_logits",
                    "F.binary_cross_entropy_with_logits(input, target, reduction={reduction})",
                    lambda r: {"input": r.randn(2, 3, scale=3.0), "target": r.uniform(0, 1, 2, 3)},
                    {"reduction": "none"}))
    # kl_div
    kl = "F.kl_div(input, target, reduction={reduction}, log_target={log_target})"
    for red in ["mean", "batchmean", "none", "sum"]:
        out.append(spec(f"kl_div_target_grad_{red}_2x3x4_f64", "kl_div", kl,
                        lambda r: {"input": r.log_probs(2, 3, 4), "target": r.probs(2, 3, 4)},
                        {"reduction": red, "log_target": False}, dtype=F64))
        out.append(spec(f"kl_div_log_target_{red}_3x4_f64", "kl_div", kl,
                        lambda r: {"input": r.log_probs(3, 4), "target": r.log_probs(3, 4)},
                        {"reduction": red, "log_target": True}, dtype=F64))
    return out


def main():
    report = []
    cases = [g.build_case(s, report) for s in specs()]
    g.write_json(os.path.abspath(sys.argv[2]), {"cases": cases})
    print(f"{sys.argv[2]}: {len(cases)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
