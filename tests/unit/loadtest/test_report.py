from collections import Counter

from loadtest.report import Summary, percentile


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 0.5) == 10 and percentile(values, 0.95) == 19 and percentile([7.0], 0.95) == 7


def test_summary_lines_report_joins_first_frames_fps_and_errors():
    summary = Summary(participants=3, joined=2, join_seconds=0.5, first_frame_ms=[300.0, 500.0],
                      stream_fps=[14.0, 15.0, 15.0], frames_per_second=44.0,
                      errors=Counter({"join refused: room_full": 1}), tool_cores=0.42,
                      processes=1)
    assert summary.lines(camera_fps=15) == [
        "joins: 2/3 in 0.50 s (4.0 joins/s)",
        "first frame: p50 300 ms, p95 500 ms (2 of 3 participants received video)",
        "fps received: 15.0 per stream median (min 14.0; camera 15) over 3 streams, 44 frames/s in all",
        "load tester: 0.42 cores busy in 1 process(es)",
        "errors: 1",
        "  1× join refused: room_full",
    ]
