"""The toy diffusion engine: every diffusion picture in the video is computed here, in NumPy.

It knows nothing of Manim. Pictures are float32 arrays (H, W, 3) in [-1, 1], as in DDPM;
`pictures.to_uint8` makes them displayable. Time steps use the paper's numbering t = 0..1000.

What the scenes call
--------------------
Pictures (`pictures`)
    CLASSES (class_id, japanese, english), NUM_CLASSES, class_id(name) -> int
    example(name_or_id, size=8, seed=0) -> (size, size, 3);  sizes 16 (pixel model), 64 (latent)
    make_dataset(n_per_class, size=8, seed=0) -> (images, labels)
    to_uint8(x) -> uint8 RGB;  enlarge(uint8_image, factor) -> crisp nearest-neighbour grid

Forward process (`schedule`)
    T = 1000; betas[t], alphas[t], alphas_bar[t] for t = 0..T (index 0: the clean picture)
    q_step(x_prev, t, eps) -> x_t                       one step of q(x_t | x_{t-1})
    forward_sample(x0, t, eps) -> x_t                    closed form q(x_t | x_0)
    forward_trajectory(x0, steps, rng) -> frames         one noising path, for animation
    predicted_x0(x_t, t, eps_hat) -> x0_hat

Trained models (`models`, cached under build/cache/engine/, trained on first use)
    load_pixel_model(progress=True) -> DiffusionModel         16x16x3 pictures
    load_latent_model(progress=True) -> LatentDiffusionModel  64x64x3 pictures via 8x8x4 latents
    model.predict_eps(x_t, t, class_id or None)         None = the null class (no prompt)
    model.predict_eps_guided(x_t, t, class_id, s)       eps_u + s (eps_c - eps_u)
    model.training_log() -> loss per iteration
    model.snapshots[iteration] -> the pixel model's denoiser part-way (250, 1000, 2000)
    model.images, model.labels (training data);  model.to_pictures(sampler output)
    latent model: encode(pictures) -> latents, decode(latents) -> pictures, autoencoder
    load_or_train_all(progress=True, force=False)

Sampling (`sampling`)
    sample_ddpm(model, n, class_id=None, guidance=1.0, seed=0, record_steps=None) -> Trajectory
    sample_ddim(model, n, class_id=None, guidance=1.0, seed=0, num_steps=50, record_steps=None,
                eta=0.0) -> Trajectory
    Trajectory: steps, x_t[i], x0_pred[i], samples, at(t) -> (x_t, x0_hat)

Metrics (`metrics`)
    nearest_neighbour_rms(samples, references), diversity(samples), psnr(a, b),
    NearestCentroidClassifier(images, labels).accuracy(images, labels),
    guidance_sweep(model, scales=(0, 1, 3, 7), ...) -> [GuidancePoint(scale, fidelity,
    diversity, accuracy)]

Ink in water (`ink`)
    simulate_ink(size=64, frames=60, ...) -> InkFrames(times, concentration)
    ink_to_rgb(concentration) -> uint8 frames;  random_walkers(n, steps, seed)

Reports (`report`), printed; the command line's `train`, `engine-bench`, `engine-metrics`:
    train_all(force=False)          make every trained artefact (or confirm it is cached)
    print_timings(retrain=False)    training times; DDPM-1000 against DDIM-50 for 16 pictures
    print_quality()                 the quality numbers: fidelity, guidance sweep, autoencoder PSNR

Training is seeded and runs on one BLAS thread, so a retrain reproduces the cached bits; the
cache key covers the configuration and artefacts.ENGINE_VERSION (bump it when code that
changes trained numbers changes; a test in tests/engine/test_artefacts.py reminds you).
"""
