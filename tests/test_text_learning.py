"""Course workflows that must learn: BBC News classification, Irish-lyrics generation with a
bidirectional LSTM, and a bidirectional-LSTM forecaster on the synthetic series (real data from
``../shared/data``; skipped when absent)."""

from __future__ import annotations

import numpy as np
import torch

import deepprob as dp
from deepprob.layers.recurrent import LSTM
from deepprob.layers.wrappers import Bidirectional

L = dp.layers


def test_bbc_news_classifier_reaches_90_percent(shared_data):
    texts, labels, class_names = dp.datasets.bbc_news.load_data(shared_data / "bbc_news")
    assert len(class_names) == 5
    order = np.random.default_rng(0).permutation(len(texts))
    texts = [texts[i] for i in order]
    labels = np.asarray(labels)[order]
    cut = int(0.8 * len(texts))
    tokenizer = dp.preprocessing.text.Tokenizer(num_words=1000, oov_token="<OOV>")
    tokenizer.fit_on_texts(texts[:cut])

    def encode(part):
        return dp.preprocessing.sequence.pad_sequences(
            tokenizer.texts_to_sequences(part), maxlen=120, padding="post", truncating="post")

    model = dp.Sequential([L.Embedding(1000, 16), L.GlobalAveragePooling1D(),
                           L.Dense(24, activation="relu"), L.Dense(6, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(encode(texts[:cut]), labels[:cut], epochs=30,
                        validation_data=(encode(texts[cut:]), labels[cut:]), verbose=0)
    assert history.history["val_accuracy"][-1] >= 0.90


def test_irish_lyrics_generation_learns(shared_data):
    corpus = dp.datasets.irish_lyrics.load_corpus(
        shared_data / "irish_lyrics" / "irish-lyrics-eof.txt")[:300]
    tokenizer = dp.preprocessing.text.Tokenizer()
    tokenizer.fit_on_texts(corpus)
    total_words = len(tokenizer.word_index) + 1
    xs, labels, max_sequence_len = dp.text.ngram_sequences(tokenizer, corpus)
    majority = np.bincount(labels).max() / len(labels)
    model = dp.Sequential([L.Embedding(total_words, 32), Bidirectional(LSTM(48)),
                           L.Dense(total_words, activation="softmax")])
    model.compile(optimizer=dp.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(xs, labels, epochs=20, batch_size=64, verbose=0)
    assert history.history["accuracy"][-1] > max(0.5, 5 * majority)
    text = dp.text.generate(model, tokenizer, "come all ye maidens", 8, max_sequence_len)
    words = text.split()
    assert words[:4] == ["come", "all", "ye", "maidens"] and len(words) == 12
    assert all(w in tokenizer.word_index for w in words[4:])


def test_bidirectional_lstm_forecaster_beats_naive():
    _, series = dp.timeseries.synthetic_series()
    split, window = dp.timeseries.synthetic.SPLIT_TIME, 20
    data = dp.timeseries.windowed_dataset(series[:split], window, 32, 1000, seed=0)
    model = dp.Sequential([
        L.Lambda(lambda x: torch.unsqueeze(x, -1), input_shape=[None]),
        Bidirectional(LSTM(32, return_sequences=True)), Bidirectional(LSTM(32)),
        L.Dense(1), L.Lambda(lambda x: x * 100.0)])
    model.compile(loss=dp.losses.Huber(), optimizer=dp.optimizers.Adam(0.005), metrics=["mae"])
    decay = dp.callbacks.LearningRateScheduler(lambda epoch: 0.005 * 0.8 ** epoch)
    model.fit(data, epochs=15, verbose=0, callbacks=[decay])
    forecast = dp.timeseries.model_forecast(model, series[split - window:-1], window)[:, 0]
    mae = np.abs(forecast - series[split:]).mean()
    naive = np.abs(dp.timeseries.naive_forecast(series, split) - series[split:]).mean()
    assert mae < naive
