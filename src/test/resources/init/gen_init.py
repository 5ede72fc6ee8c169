"""Writes init/*.json: the state_dict PyTorch 1.13 (CPU) gives after torch.manual_seed(seed) and building a
torch.nn.Sequential from a model spec, for every layer type with parameters or buffers.

    /usr/bin/python3 gen_init.py [name ...]      (writes next to this script; all models when no name is given)

The values of Embedding (normal_) come from PyTorch's AVX2 kernel; builds that run their AVX-512 or default kernel
differ in the last bit there.
"""
import json, os, sys, torch

SPECS = {
    "cnn": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 3, 12, 12]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 5]}],
        "layers": [
            {"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": 1},
            {"type": "BatchNorm2d", "num_features": 8},
            {"type": "ReLU"},
            {"type": "MaxPool2d", "kernel_size": 2},
            {"type": "Conv2d", "in_channels": 8, "out_channels": 4, "kernel_size": [3, 1], "stride": [1, 2],
             "groups": 2, "bias": False},
            {"type": "AvgPool2d", "kernel_size": 2, "stride": 1, "padding": 1},
            {"type": "AdaptiveAvgPool2d", "output_size": [2, 2]},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 16, "out_features": 12, "bias": False},
            {"type": "BatchNorm1d", "num_features": 12, "momentum": None},
            {"type": "LayerNorm", "normalized_shape": 12},
            {"type": "Dropout", "p": 0.25},
            {"type": "GELU", "approximate": "tanh"},
            {"type": "Linear", "in_features": 12, "out_features": 5},
        ],
        "seed": 7,
    },
    "embedding": {
        "inputs": [{"name": "tokens", "datatype": "INT64", "shape": [-1, 4]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "Embedding", "num_embeddings": 10, "embedding_dim": 3, "padding_idx": -2},
            {"type": "Flatten"},
            {"type": "LayerNorm", "normalized_shape": [12], "eps": 1e-6},
            {"type": "SiLU"},
            {"type": "Linear", "in_features": 12, "out_features": 2},
        ],
        "seed": 3,
    },
    "small_embedding": {
        "inputs": [{"name": "tokens", "datatype": "INT64", "shape": [-1]}],
        "outputs": [{"name": "out", "datatype": "FP32", "shape": [-1, 4]}],
        "layers": [{"type": "Embedding", "num_embeddings": 3, "embedding_dim": 4}, {"type": "Tanh"}],
        "seed": 123456789012,
    },
    # PyTorch's constructor arguments beyond API.md's list: padding="same"/"valid", affine and track_running_stats,
    # elementwise_affine, inplace, and the arguments of which only the default is built, spelled out
    "pytorch_args": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 3, 10, 10]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
        "layers": [
            {"type": "Conv2d", "in_channels": 3, "out_channels": 6, "kernel_size": 3, "padding": "same",
             "padding_mode": "zeros"},
            {"type": "BatchNorm2d", "num_features": 6, "affine": False},
            {"type": "ReLU", "inplace": True},
            {"type": "Conv2d", "in_channels": 6, "out_channels": 4, "kernel_size": [4, 2], "padding": "same",
             "dilation": [1, 2]},
            {"type": "BatchNorm2d", "num_features": 4, "track_running_stats": False},
            {"type": "LeakyReLU", "negative_slope": 0.2, "inplace": True},
            {"type": "MaxPool2d", "kernel_size": 2, "dilation": 1, "return_indices": False, "ceil_mode": False},
            {"type": "Conv2d", "in_channels": 4, "out_channels": 4, "kernel_size": 2, "padding": "valid"},
            {"type": "AvgPool2d", "kernel_size": 2, "ceil_mode": False, "count_include_pad": True,
             "divisor_override": None},
            {"type": "Flatten"},
            {"type": "BatchNorm1d", "num_features": 16, "affine": False, "track_running_stats": False},
            {"type": "LayerNorm", "normalized_shape": 16, "elementwise_affine": False},
            {"type": "SiLU", "inplace": True},
            {"type": "Dropout", "p": 0.2, "inplace": True},
            {"type": "Linear", "in_features": 16, "out_features": 3},
            {"type": "ELU", "alpha": 0.7},
            {"type": "Softplus", "beta": 2.0, "threshold": 1.5},
        ],
        "seed": 11,
    },
    "pooling_args": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 2, 12, 10]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "Conv2d", "in_channels": 2, "out_channels": 2, "kernel_size": 3, "padding": 1},
            {"type": "MaxPool2d", "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
            {"type": "MaxPool2d", "kernel_size": 2, "stride": 1, "dilation": 2},
            {"type": "AvgPool2d", "kernel_size": 2, "stride": 2, "ceil_mode": True, "count_include_pad": False},
            {"type": "AvgPool2d", "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
            {"type": "AdaptiveAvgPool2d", "output_size": [None, 1]},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 4, "out_features": 2},
        ],
        "seed": 13,
    },
    "padding_modes": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 2, 6, 7]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "Conv2d", "in_channels": 2, "out_channels": 3, "kernel_size": 3, "padding": 1,
             "padding_mode": "reflect"},
            {"type": "Conv2d", "in_channels": 3, "out_channels": 3, "kernel_size": [2, 3], "padding": "same",
             "padding_mode": "replicate"},
            {"type": "Conv2d", "in_channels": 3, "out_channels": 2, "kernel_size": 3, "padding": [2, 1],
             "padding_mode": "circular"},
            {"type": "Conv2d", "in_channels": 2, "out_channels": 2, "kernel_size": [4, 2], "stride": [2, 1],
             "padding": [1, 1], "dilation": [1, 2], "padding_mode": "reflect"},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 56, "out_features": 2},
        ],
        "seed": 17,
    },
    # inputs on the activations' kinks (-3, -1, 0, 1, 3, 6 and NaN-free neighbours), where PyTorch's gradients pick
    # a side
    "hard_activations": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 12]}],
        "outputs": [{"name": "out", "datatype": "FP32", "shape": [-1, 12]}],
        "layers": [
            {"type": "Identity"},
            {"type": "Hardswish"},
            {"type": "Linear", "in_features": 12, "out_features": 12},
            {"type": "Hardtanh", "min_val": -0.5, "max_val": 0.25},
            {"type": "Linear", "in_features": 12, "out_features": 12},
            {"type": "ReLU6", "inplace": True},
            {"type": "Linear", "in_features": 12, "out_features": 12},
            {"type": "Hardsigmoid"},
        ],
        "seed": 19,
    },
    "embedding_args": {
        "inputs": [{"name": "tokens", "datatype": "INT64", "shape": [-1, 4]}],
        "outputs": [{"name": "out", "datatype": "FP32", "shape": [-1, 4, 3]}],
        "layers": [
            {"type": "Embedding", "num_embeddings": 10, "embedding_dim": 3, "padding_idx": 1, "max_norm": None,
             "norm_type": 2.0, "scale_grad_by_freq": False, "sparse": False},
            {"type": "LayerNorm", "normalized_shape": [3], "elementwise_affine": True},
        ],
        "seed": 5,
    },
    # Conv1d with each padding form and mode, GroupNorm over (N, C, L), Mish
    "conv1d": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 4, 20]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
        "layers": [
            {"type": "Conv1d", "in_channels": 4, "out_channels": 6, "kernel_size": 3, "padding": 1,
             "padding_mode": "reflect"},
            {"type": "GroupNorm", "num_groups": 3, "num_channels": 6},
            {"type": "Mish"},
            {"type": "Conv1d", "in_channels": 6, "out_channels": 4, "kernel_size": [4], "padding": "same",
             "dilation": 2},
            {"type": "Mish", "inplace": True},
            {"type": "Conv1d", "in_channels": 4, "out_channels": 4, "kernel_size": 3, "stride": [2], "padding": [2],
             "groups": 2, "bias": False, "padding_mode": "circular"},
            {"type": "GroupNorm", "num_groups": 2, "num_channels": 4, "eps": 1e-3, "affine": False},
            {"type": "Conv1d", "in_channels": 4, "out_channels": 2, "kernel_size": 2, "padding": "same",
             "padding_mode": "replicate"},
            {"type": "Conv1d", "in_channels": 2, "out_channels": 2, "kernel_size": 3, "padding": "valid"},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 18, "out_features": 3},
        ],
        "seed": 23,
    },
    # GroupNorm over (N, C, H, W): one group, a group per channel, and groups in between
    "group_norm": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 3, 6, 5]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": 1},
            {"type": "GroupNorm", "num_groups": 4, "num_channels": 8},
            {"type": "Mish"},
            {"type": "Conv2d", "in_channels": 8, "out_channels": 6, "kernel_size": 3},
            {"type": "GroupNorm", "num_groups": 1, "num_channels": 6, "eps": 1e-6},
            {"type": "GroupNorm", "num_groups": 6, "num_channels": 6, "affine": False},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 72, "out_features": 2},
        ],
        "seed": 29,
    },
    # TransformerEncoderLayer: batch-first with GELU over an embedding, then norm-first over (S, N, E) (the batch-first
    # output read as sequence-first: attention across the batch dim), dropout in all four places
    "transformer": {
        "inputs": [{"name": "tokens", "datatype": "INT64", "shape": [-1, 5]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
        "layers": [
            {"type": "Embedding", "num_embeddings": 11, "embedding_dim": 8},
            {"type": "TransformerEncoderLayer", "d_model": 8, "nhead": 2, "dim_feedforward": 16, "dropout": 0.2,
             "activation": "gelu", "batch_first": True},
            {"type": "TransformerEncoderLayer", "d_model": 8, "nhead": 4, "dim_feedforward": 12, "dropout": 0.1,
             "layer_norm_eps": 1e-6, "norm_first": True},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 40, "out_features": 3},
        ],
        "seed": 31,
    },
    # TransformerEncoder: one encoder layer deep-copied three times (equal initial weights), and a final LayerNorm
    "transformer_encoder": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 4, 8]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "Linear", "in_features": 8, "out_features": 8},
            {"type": "TransformerEncoder",
             "encoder_layer": {"type": "TransformerEncoderLayer", "d_model": 8, "nhead": 2, "dim_feedforward": 16,
                               "dropout": 0.1, "batch_first": True},
             "num_layers": 3, "norm": {"normalized_shape": 8, "eps": 1e-6}},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 32, "out_features": 2},
        ],
        "seed": 41,
    },
    # InstanceNorm1d/2d, PReLU (per channel and shared), MaxPool1d, AvgPool1d, AdaptiveAvgPool1d and Unflatten
    "layers_1d": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 4, 12]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
        "layers": [
            {"type": "InstanceNorm1d", "num_features": 4, "affine": True},
            {"type": "PReLU", "num_parameters": 4, "init": 0.1},
            {"type": "MaxPool1d", "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
            {"type": "AvgPool1d", "kernel_size": [2], "stride": [1], "padding": 1, "count_include_pad": False},
            {"type": "Unflatten", "dim": 1, "unflattened_size": [2, -1]},
            {"type": "InstanceNorm2d", "num_features": 2, "eps": 1e-3},
            {"type": "PReLU"},
            {"type": "Flatten", "start_dim": 2},
            {"type": "AdaptiveAvgPool1d", "output_size": 5},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 10, "out_features": 3},
        ],
        "seed": 43,
    },
    # Dropout2d over (N, C, H, W) and, as PyTorch 1.13 reads it, over (N, C, L); Dropout1d; between them a Dropout
    "feature_dropout": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 2, 6, 6]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "Conv2d", "in_channels": 2, "out_channels": 4, "kernel_size": 3},
            {"type": "Dropout2d", "p": 0.3},
            {"type": "Flatten", "start_dim": 2},
            {"type": "Dropout1d", "p": 0.2, "inplace": True},
            {"type": "Dropout", "p": 0.1},
            {"type": "Dropout2d", "p": 0.25},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 64, "out_features": 2},
        ],
        "seed": 53,
    },
    # SELU, CELU, LogSigmoid, Softsign, Tanhshrink, Threshold, Hardshrink, Softshrink, GLU and Softmin; the first
    # three act on the input itself, which holds their kinks (0, the threshold, +-lambd)
    "more_activations": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 12]}],
        "outputs": [{"name": "out", "datatype": "FP32", "shape": [-1, 8]}],
        "layers": [
            {"type": "Hardshrink", "lambd": 0.25},
            {"type": "Threshold", "threshold": 0.5, "value": -0.75},
            {"type": "Softshrink"},
            {"type": "Linear", "in_features": 12, "out_features": 12},
            {"type": "SELU"},
            {"type": "Linear", "in_features": 12, "out_features": 12},
            {"type": "CELU", "alpha": 0.7, "inplace": True},
            {"type": "Linear", "in_features": 12, "out_features": 12},
            {"type": "LogSigmoid"},
            {"type": "Linear", "in_features": 12, "out_features": 12},
            {"type": "Softsign"},
            {"type": "Linear", "in_features": 12, "out_features": 12},
            {"type": "Tanhshrink"},
            {"type": "Linear", "in_features": 12, "out_features": 16},
            {"type": "GLU"},
            {"type": "Softmin", "dim": 1},
        ],
        "seed": 59,
    },
    # the padding layers (negative constant padding crops) and nearest upsampling: by a fractional and by an exact
    # factor of 2, and to sizes
    "resize_pad": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 2, 5, 6]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
        "layers": [
            {"type": "ZeroPad2d", "padding": [1, 0, 2, 1]},
            {"type": "ReflectionPad2d", "padding": 2},
            {"type": "ReplicationPad2d", "padding": [0, 1, 1, 0]},
            {"type": "ConstantPad2d", "padding": [-1, 1, 0, -2], "value": 0.5},
            {"type": "Upsample", "scale_factor": 1.5},
            {"type": "Conv2d", "in_channels": 2, "out_channels": 2, "kernel_size": 3, "stride": 3},
            {"type": "UpsamplingNearest2d", "size": [7, 9]},
            {"type": "Flatten", "start_dim": 2},
            {"type": "ReflectionPad1d", "padding": [3, 1]},
            {"type": "ReplicationPad1d", "padding": 2},
            {"type": "ConstantPad1d", "padding": 1, "value": -1.0},
            {"type": "Upsample", "size": 80, "mode": "nearest"},
            {"type": "Upsample", "scale_factor": [2.0]},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 320, "out_features": 3},
        ],
        "seed": 61,
    },
    # transposed convolutions: strided with output padding, grouped and dilated without bias, and 1-D
    "conv_transpose": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 3, 5, 4]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "ConvTranspose2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3, "stride": 2,
             "padding": 1, "output_padding": 1},
            {"type": "ReLU"},
            {"type": "ConvTranspose2d", "in_channels": 4, "out_channels": 4, "kernel_size": [2, 3],
             "stride": [1, 2], "groups": 2, "bias": False, "dilation": [2, 1]},
            {"type": "Flatten", "start_dim": 2},
            {"type": "ConvTranspose1d", "in_channels": 4, "out_channels": 2, "kernel_size": 3, "stride": 2,
             "padding": 2, "output_padding": 1, "dilation": 2},
            {"type": "AdaptiveAvgPool1d", "output_size": 4},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 8, "out_features": 2},
        ],
        "seed": 67,
    },
    # linear, bilinear and trilinear upsampling, with and without align_corners, by factors (one below 1) and to sizes
    "upsample_linear": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 2, 4, 5]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "Upsample", "scale_factor": 1.7, "mode": "bilinear"},
            {"type": "Upsample", "size": [7, 9], "mode": "bilinear", "align_corners": True},
            {"type": "Conv2d", "in_channels": 2, "out_channels": 2, "kernel_size": 3},
            {"type": "Flatten", "start_dim": 2},
            {"type": "Upsample", "scale_factor": 0.6, "mode": "linear", "align_corners": False},
            {"type": "Upsample", "size": 30, "mode": "linear", "align_corners": True},
            {"type": "Unflatten", "dim": 2, "unflattened_size": [2, 3, 5]},
            {"type": "Upsample", "scale_factor": [1.5, 2.0, 1.2], "mode": "trilinear"},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 216, "out_features": 2},
        ],
        "seed": 71,
    },
    # adaptive max pooling (windows that divide the input and windows that do not; ties after a ReLU), pixel
    # shuffling both ways, Softmax2d
    "pool_shuffle": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 4, 6, 7]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "AdaptiveMaxPool2d", "output_size": [4, 5]},
            {"type": "PixelShuffle", "upscale_factor": 2},
            {"type": "PixelUnshuffle", "downscale_factor": 2},
            {"type": "Conv2d", "in_channels": 4, "out_channels": 8, "kernel_size": 1},
            {"type": "ReLU"},
            {"type": "AdaptiveMaxPool2d", "output_size": [2, None], "return_indices": False},
            {"type": "Softmax2d"},
            {"type": "Flatten", "start_dim": 2},
            {"type": "AdaptiveMaxPool1d", "output_size": 3},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 24, "out_features": 2},
        ],
        "seed": 73,
    },
    # EmbeddingBag over rows of token ids in each mode, with a padding index (a bag of padding only included)
    "embedding_bag": {
        "inputs": [{"name": "tokens", "datatype": "INT64", "shape": [-1, 5]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "EmbeddingBag", "num_embeddings": 9, "embedding_dim": 6, "mode": "max", "padding_idx": 0},
            {"type": "Linear", "in_features": 6, "out_features": 2},
        ],
        "seed": 79,
    },
    "embedding_bag_mean": {
        "inputs": [{"name": "tokens", "datatype": "INT64", "shape": [-1, 5]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "EmbeddingBag", "num_embeddings": 9, "embedding_dim": 6, "padding_idx": -1, "max_norm": None,
             "scale_grad_by_freq": False, "sparse": False, "include_last_offset": False},
            {"type": "Tanh"},
            {"type": "Linear", "in_features": 6, "out_features": 2},
        ],
        "seed": 83,
    },
    "embedding_bag_sum": {
        "inputs": [{"name": "tokens", "datatype": "INT64", "shape": [-1, 5]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "EmbeddingBag", "num_embeddings": 9, "embedding_dim": 6, "mode": "sum"},
            {"type": "Linear", "in_features": 6, "out_features": 2},
        ],
        "seed": 89,
    },
    # PyTorch 2.1's CircularPad1d/2d and ZeroPad1d (built here from F.pad and ConstantPad1d: 1.13 lacks the classes)
    "circular_pad": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 2, 4, 5]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "CircularPad2d", "padding": [1, 2, 3, 0]},
            {"type": "Conv2d", "in_channels": 2, "out_channels": 2, "kernel_size": 2},
            {"type": "Flatten", "start_dim": 2},
            {"type": "CircularPad1d", "padding": 3},
            {"type": "ZeroPad1d", "padding": [2, -1]},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 98, "out_features": 2},
        ],
        "seed": 101,
    },
    # AvgPool2d(divisor_override): every window's sum divided by it, with padding and ceil_mode windows too
    "pool_divisor": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 2, 7, 6]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "AvgPool2d", "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
             "divisor_override": 4},
            {"type": "AvgPool2d", "kernel_size": 2, "count_include_pad": False, "divisor_override": 3},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 8, "out_features": 2},
        ],
        "seed": 137,
    },
    # LSTM with projections: a 2-layer bidirectional LSTM whose hidden states are projected to 2 features
    "lstm_proj": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 4, 3]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "LSTM", "input_size": 3, "hidden_size": 6, "num_layers": 2, "batch_first": True,
             "bidirectional": True, "proj_size": 2, "dropout": 0.2},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 16, "out_features": 2},
        ],
        "seed": 131,
    },
    # Embedding(scale_grad_by_freq=True): each row's gradient divided by its index's count in the batch
    "embedding_freq": {
        "inputs": [{"name": "ids", "datatype": "INT64", "shape": [-1, 6]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "Embedding", "num_embeddings": 8, "embedding_dim": 3, "padding_idx": 1,
             "scale_grad_by_freq": True},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 18, "out_features": 2},
        ],
        "seed": 127,
    },
    # InstanceNorm with running statistics (updated in training from each sample's, used in evaluation)
    "instance_norm_running": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 3, 5, 6]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "InstanceNorm2d", "num_features": 3, "track_running_stats": True},
            {"type": "Conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3},
            {"type": "InstanceNorm2d", "num_features": 4, "affine": True, "track_running_stats": True,
             "momentum": 0.5, "eps": 0.001},
            {"type": "Flatten", "start_dim": 2},
            {"type": "ReLU"},
            {"type": "InstanceNorm1d", "num_features": 4, "affine": True, "track_running_stats": True},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 48, "out_features": 2},
        ],
        "seed": 113,
    },
    # Upsample's bicubic (with and without align_corners), nearest-exact and area modes, in 2-D and 1-D
    "upsample_modes": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 2, 5, 6]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
        "layers": [
            {"type": "Upsample", "scale_factor": 1.7, "mode": "bicubic"},
            {"type": "Upsample", "size": [7, 9], "mode": "nearest-exact"},
            {"type": "Upsample", "size": [4, 5], "mode": "area"},
            {"type": "Upsample", "scale_factor": 2, "mode": "bicubic", "align_corners": True},
            {"type": "Flatten", "start_dim": 2},
            {"type": "Upsample", "size": 7, "mode": "area"},
            {"type": "Upsample", "scale_factor": 1.5, "mode": "nearest-exact"},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 20, "out_features": 3},
        ],
        "seed": 109,
    },
    # recurrent layers: a 2-layer bidirectional batch-first LSTM with dropout between its layers, then a GRU
    "rnn": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 5, 4]}],
        "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}],
        "layers": [
            {"type": "LSTM", "input_size": 4, "hidden_size": 6, "num_layers": 2, "batch_first": True,
             "dropout": 0.3, "bidirectional": True},
            {"type": "GRU", "input_size": 12, "hidden_size": 3, "batch_first": True},
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 15, "out_features": 2},
        ],
        "seed": 103,
    },
    # sequence-first: a bidirectional GRU without biases, a 2-layer ReLU RNN, a tanh RNN, a per-step Linear
    "rnn_seq_first": {
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [6, -1, 3]}],
        "outputs": [{"name": "out", "datatype": "FP32", "shape": [6, -1, 2]}],
        "layers": [
            {"type": "GRU", "input_size": 3, "hidden_size": 4, "bias": False, "bidirectional": True},
            {"type": "RNN", "input_size": 8, "hidden_size": 5, "num_layers": 2, "nonlinearity": "relu"},
            {"type": "RNN", "input_size": 5, "hidden_size": 3},
            {"type": "LSTM", "input_size": 3, "hidden_size": 4},
            {"type": "Linear", "in_features": 4, "out_features": 2},
        ],
        "seed": 107,
    },
}


def output_only(cls):
    """torch.nn.RNN/LSTM/GRU answering only their output sequence, as a layer of a sequential stack passes it on."""
    return type(cls.__name__, (cls,), {"forward": lambda self, x: cls.forward(self, x)[0]})


RECURRENT = {name: output_only(getattr(torch.nn, name)) for name in ("RNN", "LSTM", "GRU")}


class CircularPad(torch.nn.Module):
    """PyTorch 2.1's CircularPad1d/2d, which Debian's 1.13 lacks, as F.pad(mode="circular") computes it."""

    def __init__(self, padding, dims):
        super().__init__()
        self.padding = tuple(padding) if isinstance(padding, (list, tuple)) else (padding,) * (2 * dims)

    def forward(self, x):
        return torch.nn.functional.pad(x, self.padding, mode="circular")


# layers of PyTorch 2.1 that 1.13 lacks, built from what 1.13 has
SHIMS = {"ZeroPad1d": lambda padding: torch.nn.ConstantPad1d(padding, 0.0),
         "CircularPad1d": lambda padding: CircularPad(padding, 1),
         "CircularPad2d": lambda padding: CircularPad(padding, 2)}


def layer(l):
    args = {k: v for k, v in l.items() if k != "type"}
    if l["type"] in SHIMS:
        return SHIMS[l["type"]](**args)
    if l["type"] in RECURRENT:
        return RECURRENT[l["type"]](**args)
    for k in ("kernel_size", "stride", "padding", "output_size", "normalized_shape", "unflattened_size", "size",
              "scale_factor", "output_padding", "dilation"):
        if isinstance(args.get(k), list):
            args[k] = tuple(args[k])
    if l["type"] == "TransformerEncoder":  # its layer and norm are given as objects of their arguments
        args["encoder_layer"] = layer(dict(args["encoder_layer"], type="TransformerEncoderLayer"))
        if args.get("norm") is not None:
            args["norm"] = layer(dict(args["norm"], type="LayerNorm"))
    return getattr(torch.nn, l["type"])(**args)


def build(spec):
    return torch.nn.Sequential(*[layer(l) for l in spec["layers"]])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    names = sys.argv[1:] or list(SPECS)
    for name in names:
        spec = SPECS[name]
        torch.manual_seed(spec["seed"])
        model = build(spec)
        state = {k: {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""),
                     "data": v.flatten().tolist() if v.dim() else [v.item()]}
                 for k, v in model.state_dict().items()}
        with open(os.path.join(here, name + ".json"), "w") as f:
            json.dump({"spec": spec, "state_dict": state}, f, indent=1)


if __name__ == "__main__":
    main()
