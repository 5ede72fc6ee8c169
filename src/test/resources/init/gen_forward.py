"""Writes init/forward_<name>.json: for each model of gen_init.py, right after torch.manual_seed(seed) and building
it, one training-mode forward (Dropout draws from the same generator, continuing after the initialisation) and
backward of sum(output * upstream), then an evaluation-mode forward. Inputs come from a separate generator.

    /usr/bin/python3 gen_forward.py [name ...]   (all models when no name is given)
"""
import json, os, sys, torch
from gen_init import SPECS, build

INPUTS = {"cnn": lambda g: torch.randn(4, 3, 12, 12, generator=g),
          "embedding": lambda g: torch.randint(0, 10, (5, 4), generator=g),
          "small_embedding": lambda g: torch.tensor([0, 2, 1, 2]),
          "pytorch_args": lambda g: torch.randn(4, 3, 10, 10, generator=g),
          "pooling_args": lambda g: torch.randn(3, 2, 12, 10, generator=g),
          "padding_modes": lambda g: torch.randn(3, 2, 6, 7, generator=g),
          "hard_activations": lambda g: torch.cat([torch.tensor([[-3.0, 3.0, 0.0, 6.0, -1.0, 1.0, -4.0, 4.0, 7.0,
                                                                   -2.9999998, 2.9999998, 0.5]]),
                                                     torch.randn(4, 12, generator=g) * 4]),
          "embedding_args": lambda g: torch.randint(0, 10, (5, 4), generator=g),
          "conv1d": lambda g: torch.randn(3, 4, 20, generator=g),
          "group_norm": lambda g: torch.randn(3, 3, 6, 5, generator=g),
          "transformer": lambda g: torch.randint(0, 11, (4, 5), generator=g),
          "transformer_encoder": lambda g: torch.randn(3, 4, 8, generator=g),
          "layers_1d": lambda g: torch.randn(3, 4, 12, generator=g) * 2 + 0.5,
          "feature_dropout": lambda g: torch.randn(5, 2, 6, 6, generator=g),
          "more_activations": lambda g: torch.cat([torch.tensor([[0.0, 0.25, -0.25, 0.5, -0.5, 0.75, -0.75, 1.0,
                                                                   -1.0, 3.0, -3.0, 0.3]]),
                                                     torch.randn(4, 12, generator=g) * 2]),
          "resize_pad": lambda g: torch.randn(3, 2, 5, 6, generator=g),
          "conv_transpose": lambda g: torch.randn(2, 3, 5, 4, generator=g),
          "upsample_linear": lambda g: torch.randn(3, 2, 4, 5, generator=g),
          "pool_shuffle": lambda g: torch.randn(3, 4, 6, 7, generator=g),
          "embedding_bag": lambda g: torch.cat([torch.tensor([[0, 0, 0, 0, 0], [3, 0, 3, 5, 0]]),
                                                torch.randint(0, 9, (4, 5), generator=g)]),
          "embedding_bag_mean": lambda g: torch.cat([torch.tensor([[8, 8, 8, 8, 8], [1, 8, 2, 8, 2]]),
                                                     torch.randint(0, 9, (4, 5), generator=g)]),
          "embedding_bag_sum": lambda g: torch.randint(0, 9, (5, 5), generator=g),
          "circular_pad": lambda g: torch.randn(3, 2, 4, 5, generator=g),
          "rnn": lambda g: torch.randn(3, 5, 4, generator=g),
          "rnn_seq_first": lambda g: torch.randn(6, 2, 3, generator=g),
          "upsample_modes": lambda g: torch.randn(3, 2, 5, 6, generator=g),
          "instance_norm_running": lambda g: torch.randn(4, 3, 5, 6, generator=g) * 2 + 1,
          "embedding_freq": lambda g: torch.randint(0, 8, (4, 6), generator=g),
          "lstm_proj": lambda g: torch.randn(3, 4, 3, generator=g),
          "pool_divisor": lambda g: torch.randn(3, 2, 7, 6, generator=g)}


def t(v):
    return {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""),
            "data": v.detach().flatten().tolist() if v.dim() else [v.item()]}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    names = sys.argv[1:] or list(SPECS)
    for name in names:
        spec = SPECS[name]
        torch.manual_seed(spec["seed"])
        model = build(spec)
        g = torch.Generator().manual_seed(1234)
        x = INPUTS[name](g)
        model.train()
        out = model(x)
        upstream = torch.randn(out.shape, generator=g)
        (out * upstream).sum().backward()
        grads = {k: t(p.grad) for k, p in model.named_parameters()}
        buffers = {k: t(b) for k, b in model.named_buffers()}
        model.eval()
        with torch.no_grad():
            eval_out = model(x)
        with open(os.path.join(here, "forward_" + name + ".json"), "w") as f:
            json.dump({"spec": spec, "input": t(x), "train_output": t(out), "upstream": t(upstream),
                       "grads": grads, "buffers": buffers, "eval_output": t(eval_out)}, f)


if __name__ == "__main__":
    main()
