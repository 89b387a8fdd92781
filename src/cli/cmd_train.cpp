// `doppel train` is defined in src/train/train_commands.cpp: it needs torch, and the doppel
// binary links the torch library before the core one, so it cannot live in doppel_core.
