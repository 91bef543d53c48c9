def normalize(samples):
    peak = max(abs(s) for s in samples) or 1.0
    return [s / peak for s in samples]
