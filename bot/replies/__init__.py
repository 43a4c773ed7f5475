"""One platform-neutral reply model (`model`) and the one composer that writes every reply
(`compose`). Pure: it knows the domain and the services' results, no platform."""
