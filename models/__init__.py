"""itoo models: small plain-PyTorch networks for garment detection, category/attribute tagging and
visual search, plus the numpy-only pre/post-processing shared by training and serving.

Layout (import submodules explicitly; importing ``models`` itself never imports torch):

- ``models.preprocess``  (numpy/PIL)  crop and detector input tensors, ``CROP_SIZE``, ``DETECTOR_SIZE``.
- ``models.postprocess`` (numpy)      CenterNet decoding, outfit rules, softmax/sigmoid, hierarchical decode.
- ``models.evaluation``  (numpy)      AP / mAP@0.5, accuracy, retrieval top-k.
- ``models.backbone``    (torch)      ``CompactEfficientNet`` (MBConv + SE, strides 4/8/16 + pooled vector).
- ``models.detector``    (torch)      ``CenterNetDetector`` and ``build_targets``.
- ``models.classifier``  (torch)      ``HierarchicalClassifier`` (6-way super + 32-way sub heads).
- ``models.tagger``      (torch)      ``AttributeTagger`` (one head per attribute group).
- ``models.embedder``    (torch)      ``Embedder`` (128-d L2-normalised).
- ``models.losses``      (torch)      ``nt_xent``, ``heatmap_focal_loss``, ``masked_attribute_loss``.
- ``models.training``    (torch)      ``TrainConfig``, ``fit`` and the ``train_*`` entry points.
- ``models.export``      (torch/onnx) ``export_onnx`` (atomic, dynamic batch) and ``onnx_parity``.

Serving only needs ``preprocess``, ``postprocess`` and onnxruntime.
"""
