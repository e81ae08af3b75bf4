import { cosignPage } from './witness/cosign';
import { registerPage } from './witness/register';

/** The witness's own device: registering its key (templates/witness-register.njk) and cosigning (witness-cosign.njk). */
const register = document.getElementById('witness-register');
const cosign = document.getElementById('witness-cosign');
if (register) void registerPage(register);
if (cosign) void cosignPage(cosign);
