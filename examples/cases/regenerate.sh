#!/bin/sh
# Regenerates the example cases byte for byte: random non-degenerate cases (`rnnverify new`, fixed seeds) whose claimed
# results are the certified, correctly rounded float32 reference (`rnnverify run --engine reference`), except
# gru_onnx_ort.json, whose claims are ONNX Runtime's.
set -e
cd "$(dirname "$0")"
R="dotnet run --project ../../src/Oracle --"
T=$(mktemp -d)
$R new --cell lstm --layout pytorch --input-size 3 --hidden-size 4 --steps 5 --batch 2 --seed 1 -o "$T/lstm.json"
$R run --engine reference "$T/lstm.json" -o lstm_pytorch.json
$R new --cell gru --layout onnx --input-size 2 --hidden-size 3 --steps 4 --batch 3 --bidirectional --seq-lens --seed 2 -o "$T/gru.json"
$R run --engine reference "$T/gru.json" -o gru_onnx_bidirectional.json
$R run --engine onnxruntime "$T/gru.json" -o gru_onnx_ort.json
$R new --cell rnn_tanh --layout keras --input-size 2 --hidden-size 3 --layers 2 --steps 3 --batch 1 --seed 3 -o "$T/rnn.json"
$R run --engine reference "$T/rnn.json" -o rnn_keras_stacked.json
$R new --cell lstm --layout onnx --input-size 2 --hidden-size 2 --steps 3 --batch 2 --peepholes --seed 4 -o "$T/peep.json"
$R run --engine reference "$T/peep.json" -o lstm_onnx_peepholes.json
rm -r "$T"
# lstm_pytorch_exported.json comes from PyTorch: python3 ../../docs/pytorch_export.py > lstm_pytorch_exported.json
