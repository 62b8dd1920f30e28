"""Streams per core say what they measure: marginal and all-in, counted in full-rate streams, and marked
not valid when subscribers did not get the publisher's frame rate."""

from benchmarks.sfu import RunResult, group_verdict, streams_per_core


def _run(subscribers: int, server_cores: float, forwarded_fps: float, min_ratio: float) -> RunResult:
    return RunResult(mode="sfu", subscribers=subscribers, publishers=1, streams=subscribers,
                     server_cores=server_cores, client_cores=0.1, cpu_per_stream_ms=0.0, publisher_fps=30.0,
                     min_fps=30.0 * min_ratio, mean_fps=30.0 * min_ratio, min_ratio=min_ratio, ttff_median=0.1,
                     ttff_max=0.2, decode_errors=0, decoded_frames_checked=True, server_forwarded_fps=forwarded_fps,
                     load_average=0.5)


def test_marginal_leaves_the_fixed_cost_out_and_all_in_counts_it():
    line = streams_per_core(_run(1, 0.03, 30.0, 1.0), _run(64, 0.20, 30.0, 1.0))
    assert "marginal 371 " in line and "all-in 320 at N=64" in line and "NOT VALID" not in line


def test_streams_forwarded_below_full_rate_count_for_less_and_the_figure_is_marked_not_valid():
    line = streams_per_core(_run(1, 0.02, 30.0, 1.0), _run(64, 0.08, 15.0, 0.40))
    assert "all-in 400 at N=64" in line  # 64 streams at half rate: the work of 32 full ones
    assert "NOT VALID" in line and "x0.40" in line


def _group(server_cores: float, client_cores: float, forwarded_fps: float, min_ratio: float) -> RunResult:
    run = _run(24, server_cores, forwarded_fps, min_ratio)
    run.publishers, run.client_cores = 24, client_cores
    return run


def test_a_group_row_at_the_publishers_rate_is_full_rate():
    assert group_verdict(_group(0.42, 0.65, 30.0, 0.99)) == "full rate"


def test_a_group_row_whose_server_ran_out_of_its_core_says_so():
    assert group_verdict(_group(0.98, 0.60, 21.0, 0.65)) == "server saturated: one process forwards 21.0 of 30 fps"


def test_a_group_row_where_the_machine_ran_out_is_not_valid():
    verdict = group_verdict(_group(0.80, 1.10, 16.0, 0.16))
    assert verdict == ("NOT VALID: the machine ran out (server 80% + load generator 110% of a core; "
                       "the server forwarded 16.0 of 30 fps)")
