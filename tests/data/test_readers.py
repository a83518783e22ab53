"""Text and CSV readers, list_files, and Keras's timeseries_dataset_from_array."""

import numpy as np
import pytest
import torch

import deepprob as dp

Dataset = dp.data.Dataset


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("id,name,value\n1,alpha,0.5\n2,beta,\n3,\"g,amma\",2.25\n")
    return path


def test_text_lines_and_list_files(tmp_path):
    (tmp_path / "a.txt").write_text("first line\nsecond\r\n")
    (tmp_path / "b.txt").write_text("third")
    files = Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False)
    assert list(files) == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    assert files.cardinality() == 2
    lines = dp.data.TextLineDataset(files)
    assert list(lines) == ["first line", "second", "third"]
    shuffled = Dataset.list_files(str(tmp_path / "*.txt"), seed=3)
    assert sorted(shuffled) == list(files)
    with pytest.raises(FileNotFoundError, match="no files match"):
        Dataset.list_files(str(tmp_path / "*.nothing"))


def test_csv_dataset(csv_file):
    ds = dp.data.experimental.CsvDataset(str(csv_file), [int, str, [-1.0]], header=True)
    rows = [(int(a), b, float(c)) for a, b, c in ds]
    assert rows == [(1, "alpha", 0.5), (2, "beta", -1.0), (3, "g,amma", 2.25)]
    numeric = dp.data.experimental.CsvDataset(str(csv_file), [torch.int64, [0.0]], header=True,
                                              select_cols=[0, 2])
    batch = next(iter(numeric.batch(3)))
    assert batch[0].tolist() == [1, 2, 3] and batch[1].tolist() == [0.5, 0.0, 2.25]


def test_csv_bad_cells(tmp_path, csv_file):
    with pytest.raises(ValueError, match=r"line 2, column 1: expected a number, found 'alpha'"):
        list(dp.data.experimental.CsvDataset(str(csv_file), [int, float, float], header=True))
    with pytest.raises(ValueError, match="line 3, column 2: the cell is empty"):
        list(dp.data.experimental.CsvDataset(str(csv_file), [int, str, float], header=True))
    with pytest.raises(ValueError, match="has 3 fields but `record_defaults` describes 2"):
        list(dp.data.experimental.CsvDataset(str(csv_file), [int, str], header=True))
    with pytest.raises(TypeError, match="record_defaults"):
        dp.data.experimental.CsvDataset(str(csv_file), [object()])


def reference_sequences(data, targets, length, stride, rate, start, end):
    n_seq = end - start - (length - 1) * rate
    if targets is not None:
        n_seq = min(n_seq, len(targets))
    xs, ys = [], []
    for p in range(0, n_seq, stride):
        xs.append([data[start + p + j * rate] for j in range(length)])
        if targets is not None:
            ys.append(targets[start + p])
    return np.array(xs), np.array(ys)


@pytest.mark.parametrize("length,stride,rate,start,end", [
    (10, 3, 2, None, None), (4, 1, 1, 5, 40), (3, 2, 3, 0, 20)])
def test_timeseries_dataset_from_array_matches_keras_rule(length, stride, rate, start, end):
    data = np.arange(100) * 1.5
    targets = np.arange(100) * -1
    ds = dp.data.timeseries_dataset_from_array(
        data, targets, sequence_length=length, sequence_stride=stride, sampling_rate=rate,
        batch_size=7, start_index=start, end_index=end)
    s, e = start or 0, end or 100
    rx, ry = reference_sequences(data, targets, length, stride, rate, s, e)
    xs, ys = zip(*list(ds))
    assert all(len(x) == 7 for x in xs[:-1])
    np.testing.assert_allclose(torch.cat(xs).numpy(), rx)
    np.testing.assert_array_equal(torch.cat(ys).numpy(), ry)


def test_timeseries_dataset_keras_doc_examples():
    data = np.arange(100)
    ds = dp.data.timeseries_dataset_from_array(data, None, sequence_length=10, sampling_rate=2,
                                               sequence_stride=3, batch_size=None)
    seqs = [s.tolist() for s in ds]
    assert seqs[0] == list(range(0, 20, 2)) and seqs[1] == list(range(3, 23, 2))
    assert seqs[-1] == list(range(81, 101, 2))
    inputs, targets = data[:-10], data[10:]
    x, y = next(iter(dp.data.timeseries_dataset_from_array(inputs, targets, 10)))
    assert x[0].tolist() == list(range(10)) and int(y[0]) == 10


def test_timeseries_dataset_shuffle_and_errors():
    data = np.arange(50)
    ds = dp.data.timeseries_dataset_from_array(data, data, 5, shuffle=True, seed=1, batch_size=4)
    batches = list(ds)
    x = torch.cat([b[0] for b in batches])
    y = torch.cat([b[1] for b in batches])
    assert sorted(y.tolist()) == list(range(46))
    assert torch.equal(x[:, 0], y)  # windows stay with their own targets
    with pytest.raises(ValueError, match="`sequence_length`.*do not fit"):
        dp.data.timeseries_dataset_from_array(np.arange(5), None, 10)
    with pytest.raises(ValueError, match="`data` and `targets`"):
        dp.data.timeseries_dataset_from_array(np.arange(5), np.arange(4), 2)
    with pytest.raises(ValueError, match="`sampling_rate`"):
        dp.data.timeseries_dataset_from_array(np.arange(5), None, 2, sampling_rate=0)
