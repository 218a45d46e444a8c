"""An independent reference of SPEC section 2's razoring, as combinational Verilog for the proof.

Written from the SPEC's steps, not from the RTL: the magnitude clamped by a comparison, the
leading one of the group OR by a priority loop, the rounding by a wide add and a variable right
shift, then the saturation and the sign rule (the RTL instead selects a window with a
logarithmic mux and rounds with an M-bit increment).
"""

__all__ = ["reference_verilog"]


def reference_verilog(config, module="sdr_encoder_reference", saturate=True):
    """Module ``module`` (ports ``x``, ``code``, ``flag``) razoring one group of ``config``
    (:class:`sim.formats.SdrConfig`). ``saturate=False`` drops the saturation of a rounding
    that carries past ``2**M - 1`` (a deliberately wrong reference, for tests)."""
    b, m, g, f = config.base_bits, config.mag_bits, config.group, config.flag_bits
    nearest = config.rounding == "nearest"
    if nearest:
        rounded = f"(f == 0) ? {{1'b0, mag}} : ({{1'b0, mag}} + ({b + 1}'d1 << (f - 1))) >> f"
    else:
        rounded = "{1'b0, mag} >> f"
    limit = f"q = (wide > {config.mag_max}) ? {config.mag_max} : wide[{m - 1}:0];"
    if not saturate:
        limit = f"q = wide[{m - 1}:0];"
    return f"""module {module} (
  input [{g * b - 1}:0] x,
  output reg [{g * (m + 1) - 1}:0] code,
  output reg [{f - 1}:0] flag
);
  // SPEC 2 step 1: m_i = min(|x_i|, 2^(B-1)-1)
  function [{b - 2}:0] magnitude(input [{b - 1}:0] v);
    reg [{b - 1}:0] a;
    begin
      a = v[{b - 1}] ? -v : v;
      magnitude = (a > {config.base_max}) ? {config.base_max} : a[{b - 2}:0];
    end
  endfunction
  // SPEC 2 steps 4-5: the code of one element under flag f
  function [{m}:0] razor(input [{b - 1}:0] v, input [{f - 1}:0] f);
    reg [{b - 2}:0] mag;
    reg [{b}:0] wide;
    reg [{m - 1}:0] q;
    begin
      mag = magnitude(v);
      wide = {rounded};
      {limit}
      razor = {{v[{b - 1}] && q != 0, q}};
    end
  endfunction
  reg [{b - 2}:0] group_or;
  integer i, length;
  always @* begin
    group_or = 0;
    for (i = 0; i < {g}; i = i + 1) group_or = group_or | magnitude(x[i * {b} +: {b}]);
    // SPEC 2 steps 2-3: L = bit_length(OR), flag = max(0, L - M)
    length = 0;
    for (i = 0; i < {b - 1}; i = i + 1) if (group_or[i]) length = i + 1;
    flag = (length > {m}) ? length - {m} : 0;
    for (i = 0; i < {g}; i = i + 1) code[i * {m + 1} +: {m + 1}] = razor(x[i * {b} +: {b}], flag);
  end
endmodule
"""
