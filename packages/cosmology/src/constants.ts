/** Speed of light, km/s. */
export const SPEED_OF_LIGHT_KM_S = 299_792.458;
/** Hubble distance c/H0 for h = 1, Mpc (so c/H0 = HUBBLE_DISTANCE_MPC_H / h Mpc). */
export const HUBBLE_DISTANCE_MPC_H = SPEED_OF_LIGHT_KM_S / 100;
/** Hubble time 1/H0 for h = 1, Gyr (1/(100 km/s/Mpc) with 1 Mpc = 3.085677581491367e19 km, 1 Gyr = 3.15576e16 s). */
export const HUBBLE_TIME_GYR_H = 3.085677581491367e19 / 100 / 3.15576e16;
/** Critical density today for h = 1, M☉ Mpc⁻³ (CCL's RHO_CRITICAL: ρ_c = 2.77536627e11 h² M☉ Mpc⁻³). */
export const RHO_CRITICAL_MSUN_MPC3_H2 = 2.77536627e11;
/** Ω_γ h² per K⁴ of CMB temperature: (4σ_SB/c³) T⁴ / ρ_c(h = 1), in SI (CODATA 2018; G = 6.67430e-11). */
export const OMEGA_PHOTON_H2_PER_K4 = (() => {
  const stefanBoltzmann = 5.670374419e-8; // W m⁻² K⁻⁴
  const c = 299_792_458; // m/s
  const gravitationalConstant = 6.6743e-11; // m³ kg⁻¹ s⁻²
  const h0 = 1e5 / 3.085677581491367e22; // 100 km/s/Mpc in s⁻¹
  const rhoCritical = (3 * h0 * h0) / (8 * Math.PI * gravitationalConstant); // kg/m³
  return (4 * stefanBoltzmann) / c ** 3 / rhoCritical;
})();
/** Massless-neutrino density per effective species relative to photons: (7/8)(4/11)^(4/3). */
export const NEUTRINO_PER_PHOTON = (7 / 8) * (4 / 11) ** (4 / 3);
/** The spherical-collapse threshold δc that CCL uses for Press–Schechter and Sheth–Tormen (3/20 (12π)^(2/3)). */
export const DELTA_C = (3 / 20) * (12 * Math.PI) ** (2 / 3);
