"""Name and place lists for the synthetic population: first names, surnames, streets, places.

Everything here is invented or common public knowledge; no list is taken from a register. Lists
are ordered from common to rare, and the matching ``*_WEIGHTS`` tuples are Zipf-like (a few very
common names, a long tail). Dutch surnames keep their voorvoegsel apart, as in the BRP
(``("van den", "Berg")``); other origins put the whole name in the geslachtsnaam
(``("", "El Amrani")``). All strings are NFC-normalised; :func:`check_lists` verifies the lists.
"""

# Turkish names need the dotless i (U+0131), which RUF001 flags as ambiguous.
# ruff: noqa: RUF001

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping

ORIGINS: tuple[str, ...] = (
    "nl",
    "west",
    "turkish",
    "moroccan",
    "surinamese",
    "polish",
    "syrian",
    "indonesian",
)

# fmt: off

# ---------------------------------------------------------------------------------------------
# First names, male
# ---------------------------------------------------------------------------------------------

_NL_MALE: tuple[str, ...] = (
    "Jan", "Johannes", "Pieter", "Cornelis", "Hendrik", "Willem", "Gerrit", "Jacobus", "Peter",
    "Johan", "Hans", "Kees", "Henk", "Wim", "Daan", "Sem", "Lucas", "Piet", "Dirk", "Klaas",
    "Theo", "Gerard", "Marco", "Mark", "Martin", "Erik", "Robert", "Richard", "Paul", "Frank",
    "Jeroen", "Bas", "Levi", "Finn", "Noah", "Luuk", "Milan", "Bram", "Thijs", "Jesse", "Tim",
    "Lars", "Ruben", "Thomas", "Stijn", "Tom", "Niels", "Sander", "Dennis", "Kevin", "Mike",
    "Rick", "Joris", "Koen", "Martijn", "Wouter", "Michiel", "Maarten", "Arjen", "Ruud", "Gijs",
    "Sjoerd", "Jasper", "Vincent", "Rob", "Ronald", "René", "Edwin", "Arie", "Bert", "Harm",
    "Joost", "Rutger", "Hugo", "Olivier", "Julian", "Mees", "Siem", "Teun", "Jens", "Max",
    "Adam", "Liam", "Boaz", "Guus", "Mats", "Sven", "Floris", "Job", "Hidde", "Jurre", "Tijn",
    "Ties", "Stef", "Daniël", "Michaël", "Raphaël", "Noë", "Joël", "Emiel", "Bart", "Joep",
    "Pim", "Niek", "Rens", "Bob", "Cas", "Dex", "Fedde", "Jurriaan", "Lodewijk", "Maurits",
    "Reinier", "Frederik", "Matthijs", "Jan-Willem", "Gert-Jan", "Hendrikus", "Gerardus",
    "Wilhelmus", "Theodorus", "Antonius", "Adrianus", "Petrus", "Franciscus", "Leendert",
    "Marinus", "Albert", "Evert", "Gijsbert", "Huib", "Frits", "Ben", "Toon", "Sjaak", "Harry",
    "Ton", "Jos", "Ad", "Patrick", "Raymond", "Roy", "Jordy", "Danny", "Nick", "Wesley", "Thom",
    "Luc", "Noud", "Melle", "Olaf", "Menno", "Rogier", "Diederik", "Gerben", "Jochem", "Coen",
    "Twan", "Robin", "Youri", "Sietse", "Hylke", "Wietse", "Jelle", "Sjors", "Tjeerd", "Douwe",
    "Auke", "Jelmer", "Wessel", "Hessel", "Sybren", "Eelco", "Rienk", "Folkert", "Jildert",
)

_WEST_MALE: tuple[str, ...] = (
    "Michael", "Thomas", "Stefan", "Andreas", "Jürgen", "Klaus", "Wolfgang", "Matthias",
    "Lukas", "Felix", "Jörg", "Uwe", "Günter", "François", "Pierre", "Jean", "Louis", "Antoine",
    "Julien", "Mathieu", "Jérôme", "José", "Carlos", "Javier", "Alejandro", "Pablo", "Jesús",
    "Giuseppe", "Luca", "Giovanni", "Alessandro", "Francesco", "Matteo", "David", "James",
    "John", "William", "Oliver", "George", "Harry", "Søren", "Mads", "Björn", "Dries", "Lieven",
    "Jef", "Pieter-Jan", "Wout", "Maxime", "João", "Nicolás",
)

_TURKISH_MALE: tuple[str, ...] = (
    "Mehmet", "Ahmet", "Mustafa", "Ali", "Hüseyin", "Hasan", "İbrahim", "İsmail", "Osman",
    "Yusuf", "Ömer", "Murat", "Emre", "Burak", "Serkan", "Kemal", "Halil", "Süleyman", "Recep",
    "Şükrü", "Orhan", "Erkan", "Fatih", "Cem", "Kaan", "Mert", "Can", "Hakan", "Volkan",
    "Tolga", "Uğur", "Gökhan", "Oğuz", "Erdem", "Barış", "Selim", "Enes", "Furkan", "Eymen",
    "Yiğit", "Çağlar", "Kerem", "Tarık",
)

_MOROCCAN_MALE: tuple[str, ...] = (
    "Mohammed", "Mohamed", "Ahmed", "Mustapha", "Youssef", "Said", "Hassan", "Abdelkader",
    "Rachid", "Karim", "Hamid", "Driss", "Mimoun", "Soufiane", "Bilal", "Anouar", "Ayoub",
    "Hamza", "Ismail", "Mehdi", "Nordin", "Mounir", "Khalid", "Redouan", "Mourad", "Adil",
    "Yassine", "Zakaria", "Amine", "Ilias", "Omar", "Samir", "Tarik", "Jamal", "Brahim",
    "Abdelhak", "Abdellah", "Achraf", "Marouane", "Younes",
)

_SURINAMESE_MALE: tuple[str, ...] = (
    "Radjesh", "Ravi", "Sunil", "Anand", "Dinesh", "Rakesh", "Vishal", "Amit", "Ramesh",
    "Deepak", "Rishi", "Sanjay", "Navin", "Mahesh", "Harish", "Soerin", "Marciano", "Romano",
    "Clarence", "Glenn", "Errol", "Ricardo", "Romeo", "Orlando", "Kenneth", "Stanley", "Dwight",
    "Jerrel", "Jair", "Quincy", "Sergio", "Soeripto", "Parmo", "Soekardi",
    "Wagiman", "Kenny", "Rodney",
)

_POLISH_MALE: tuple[str, ...] = (
    "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Marcin", "Michał", "Łukasz", "Jakub",
    "Grzegorz", "Marek", "Adam", "Kamil", "Mateusz", "Dariusz", "Mariusz", "Wojciech", "Rafał",
    "Jan", "Józef", "Zbigniew", "Stanisław", "Jerzy", "Tadeusz", "Sławomir", "Artur", "Damian",
    "Bartosz", "Sebastian", "Przemysław", "Szymon", "Dawid", "Filip", "Antoni", "Kacper",
    "Wiktor", "Maciej", "Radosław",
)

_SYRIAN_MALE: tuple[str, ...] = (
    "Ahmad", "Mohammad", "Omar", "Hamza", "Khaled", "Mahmoud", "Ali", "Hassan", "Hussein",
    "Yousef", "Ibrahim", "Mustafa", "Abdullah", "Rami", "Samer", "Fadi", "Tarek", "Ammar",
    "Bilal", "Anas", "Majd", "Karam", "Firas", "Wael", "Ziad", "Hani", "Jamil", "Issa", "Mazen",
    "Ayham", "Moaz", "Yazan", "Adnan", "Walid", "Basel", "Hadi",
)

_INDONESIAN_MALE: tuple[str, ...] = (
    "Johan", "Frans", "Jacob", "Willem", "Alex", "Ronny", "Robby", "Eddy", "Benny", "Johnny",
    "Freddy", "Dominggus", "Izaak", "Otto", "Nico", "Marthen", "Rudy", "Tonny", "Simon", "Elias",
    "Budi", "Agus", "Hadi", "Slamet", "Bambang", "Rudi", "Eko", "Joko", "Wahyu", "Arif",
    "Yohanes", "Petrus", "Hendrik", "Ferdinand",
)

# ---------------------------------------------------------------------------------------------
# First names, female
# ---------------------------------------------------------------------------------------------

_NL_FEMALE: tuple[str, ...] = (
    "Maria", "Anna", "Johanna", "Cornelia", "Elisabeth", "Emma", "Julia", "Sophie", "Wilhelmina",
    "Hendrika", "Catharina", "Adriana", "Petronella", "Jacoba", "Margaretha", "Geertruida",
    "Grietje", "Aaltje", "Antje", "Trijntje", "Neeltje", "Marijke", "Ingrid", "Monique", "Linda",
    "Anja", "Petra", "Marja", "Annemieke", "Wilma", "Karin", "Esther", "Sandra", "Marieke",
    "Miranda", "Patricia", "Mirjam", "Yvonne", "Jolanda", "Ria", "Els", "Joke", "Gerda", "Truus",
    "Riet", "Annie", "Corrie", "Nel", "Tineke", "Janneke", "Anouk", "Lisa", "Laura", "Lotte",
    "Eva", "Lieke", "Fleur", "Iris", "Isa", "Sara", "Tess", "Mila", "Nora", "Liv", "Yara",
    "Saar", "Noor", "Fenna", "Lynn", "Evi", "Roos", "Jasmijn", "Amber", "Kim", "Lisanne",
    "Manon", "Naomi", "Nina", "Maud", "Floor", "Britt", "Demi", "Romy", "Sterre", "Lana",
    "Olivia", "Mia", "Hannah", "Ilse", "Inge", "Marloes", "Marit", "Mirthe", "Nienke", "Renske",
    "Rianne", "Suzanne", "Wendy", "Chantal", "Daphne", "Daniëlle", "Michelle", "Nathalie",
    "Astrid", "Bianca", "Carla", "Diana", "Evelien", "Ellen", "José", "Femke", "Sanne", "Zoë",
    "Chloë", "Loïs", "Anaïs", "Noëlle", "Mariëlle", "Inès", "Renée", "Ariënne", "Emmy",
    "Liselotte", "Charlotte", "Julie", "Elise", "Froukje", "Geertje", "Wietske", "Sietske",
    "Tjitske", "Jildou", "Baukje", "Hinke", "Aukje", "Rixt", "Yfke", "Marleen", "Hanneke",
    "Joyce", "Kirsten", "Annelies", "Margriet", "Gerdien", "Bregje", "Myrthe", "Lieve", "Fien",
    "Puck", "Jet", "Feline", "Elin", "Veerle", "Tamara", "Priscilla",
)

_WEST_FEMALE: tuple[str, ...] = (
    "Sarah", "Laura", "Anna", "Zoé", "Amélie", "Camille", "Chloé", "Léa", "Élodie", "Hélène",
    "Céline", "Ursula", "Sabine", "Katrin", "Lena", "Greta", "Heike", "Birgit", "Monika",
    "Claudia", "Andrea", "Giulia", "Francesca", "Chiara", "Martina", "Lucía", "María", "Carmen",
    "Isabel", "Elena", "Sofía", "Emily", "Charlotte", "Olivia", "Jessica", "Elke", "Griet",
    "Ine", "Liesbeth", "Sofie", "Ingrid", "Sigrid", "Freja", "Maja", "Inês",
    "Margarida", "Ana", "Siobhán",
)

_TURKISH_FEMALE: tuple[str, ...] = (
    "Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Meryem", "Büşra", "Gülşen", "Şerife",
    "Sevgi", "Hülya", "Özlem", "Derya", "Esra", "Merve", "Ebru", "Sibel", "Selin", "Yasemin",
    "Nur", "Zehra", "Hacer", "Songül", "Dilek", "Gül", "Aylin", "Tuğba", "Kübra", "Sümeyye",
    "Ecrin", "Azra", "Defne", "Nehir", "Çiğdem", "Gökçe", "İlayda", "Şeyma", "Nesrin", "Leyla",
)

_MOROCCAN_FEMALE: tuple[str, ...] = (
    "Fatima", "Khadija", "Aicha", "Malika", "Naima", "Zohra", "Rachida", "Noura", "Ilham",
    "Samira", "Latifa", "Hanane", "Hafida", "Najat", "Saida", "Karima", "Souad", "Nadia",
    "Meryem", "Salma", "Imane", "Houda", "Sara", "Yasmina", "Hajar", "Ikram", "Soumaya", "Nour",
    "Assia", "Loubna", "Sanae", "Chaimae", "Dounia", "Hind", "Wafae", "Zineb", "Siham", "Amal",
)

_SURINAMESE_FEMALE: tuple[str, ...] = (
    "Shanti", "Anjali", "Priya", "Dewi", "Roshni", "Sita", "Kavita", "Asha", "Sunita", "Nisha",
    "Reshma", "Shivani", "Anita", "Pooja", "Geeta", "Indra", "Radha", "Sarita", "Shirley",
    "Marlene", "Gracia", "Sharon", "Jacqueline", "Esmeralda", "Rosita", "Jennifer", "Sheila",
    "Denise", "Sriyati", "Wartini", "Soemini", "Giovanca", "Chantal", "Melissa", "Rachna",
)

_POLISH_FEMALE: tuple[str, ...] = (
    "Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna",
    "Magdalena", "Elżbieta", "Joanna", "Aleksandra", "Monika", "Zofia", "Teresa", "Danuta",
    "Natalia", "Karolina", "Marta", "Beata", "Dorota", "Halina", "Jadwiga", "Justyna", "Paulina",
    "Iwona", "Renata", "Sylwia", "Agata", "Grażyna", "Urszula", "Wiktoria", "Julia", "Zuzanna",
    "Oliwia", "Łucja", "Weronika",
)

_SYRIAN_FEMALE: tuple[str, ...] = (
    "Fatima", "Rania", "Lina", "Yara", "Amira", "Rasha", "Hala", "Dima", "Reem", "Noor", "Maya",
    "Sara", "Aya", "Hiba", "Ghada", "Layla", "Mariam", "Huda", "Samar", "Ruba", "Rawan", "Salma",
    "Zainab", "Batoul", "Asma", "Lama", "Rahaf", "Nada", "Hanan", "Jana", "Sidra", "Shahd",
    "Alaa", "Duaa", "Ola",
)

_INDONESIAN_FEMALE: tuple[str, ...] = (
    "Dewi", "Ratna", "Sri", "Wati", "Yuliana", "Elsa", "Martha", "Wilhelmina", "Augustina",
    "Debora", "Jacomina", "Sonja", "Ingrid", "Yvonne", "Esther", "Mira", "Rina", "Lientje",
    "Indah", "Putri", "Ayu", "Sari", "Lestari", "Rini", "Tuti", "Yanti", "Maria", "Julia",
    "Nancy", "Grace", "Josephina", "Anneke", "Lydia",
)

# ---------------------------------------------------------------------------------------------
# Surnames: (voorvoegsel, geslachtsnaam)
# ---------------------------------------------------------------------------------------------

_NL_SURNAMES: tuple[tuple[str, str], ...] = (
    ("de", "Jong"), ("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"),
    ("", "Bakker"), ("", "Janssen"), ("", "Visser"), ("", "Smit"), ("", "Meijer"),
    ("de", "Boer"), ("", "Mulder"), ("de", "Groot"), ("", "Bos"), ("", "Vos"), ("", "Peters"),
    ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"), ("", "Brouwer"), ("de", "Wit"),
    ("", "Dijkstra"), ("", "Smits"), ("de", "Graaf"), ("van der", "Meer"),
    ("van der", "Linden"), ("", "Kok"), ("", "Jacobs"), ("de", "Haan"), ("", "Vermeulen"),
    ("van den", "Heuvel"), ("van der", "Veen"), ("van den", "Broek"), ("de", "Bruijn"),
    ("de", "Bruin"), ("van der", "Heijden"), ("", "Schouten"), ("van", "Beek"), ("", "Willems"),
    ("van", "Vliet"), ("van de", "Ven"), ("", "Hoekstra"), ("", "Maas"), ("", "Verhoeven"),
    ("", "Koster"), ("van", "Dam"), ("van der", "Wal"), ("", "Prins"), ("", "Blom"),
    ("", "Huisman"), ("", "Peeters"), ("de", "Jonge"), ("", "Kuipers"), ("van", "Veen"),
    ("", "Post"), ("", "Kuiper"), ("", "Veenstra"), ("", "Kramer"), ("van den", "Brink"),
    ("", "Scholten"), ("van", "Wijk"), ("", "Postma"), ("", "Martens"), ("", "Vink"),
    ("de", "Ruiter"), ("", "Timmermans"), ("", "Groen"), ("", "Gerritsen"), ("", "Jonker"),
    ("van", "Loon"), ("", "Boer"), ("van der", "Velde"), ("", "Willemsen"), ("", "Smeets"),
    ("de", "Lange"), ("de", "Vos"), ("", "Bosch"), ("van", "Dongen"), ("", "Schipper"),
    ("de", "Koning"), ("van der", "Laan"), ("", "Koning"), ("van der", "Velden"),
    ("", "Driessen"), ("van", "Doorn"), ("", "Hermans"), ("", "Evers"), ("van den", "Bosch"),
    ("van der", "Meulen"), ("", "Hofman"), ("", "Bosman"), ("", "Wolters"), ("", "Sanders"),
    ("van der", "Horst"), ("", "Mol"), ("", "Kuijpers"), ("", "Molenaar"), ("van de", "Pol"),
    ("de", "Leeuw"), ("", "Verbeek"), ("van", "Rijn"), ("van der", "Zee"), ("ter", "Horst"),
    ("ten", "Cate"), ("te", "Riele"), ("'t", "Hart"), ("in 't", "Veld"), ("van 't", "Hof"),
    ("den", "Hartog"), ("op de", "Beek"), ("in de", "Braekt"), ("van", "Os"),
    ("van der", "Poel"), ("van", "Es"), ("ten", "Brink"), ("ter", "Haar"), ("ter", "Beek"),
    ("ten", "Have"), ("te", "Velde"), ("'t", "Hooft"), ("in 't", "Zandt"), ("van 't", "Veer"),
    ("den", "Ouden"), ("op den", "Kamp"), ("op 't", "Land"), ("uit den", "Bogaard"),
    ("van den", "Akker"), ("van de", "Kamp"), ("van de", "Wetering"), ("van der", "Ploeg"),
    ("van der", "Steen"), ("van", "Gelder"), ("van", "Zanten"), ("van", "Ommen"),
    ("van", "Hout"), ("van", "Eijk"), ("van", "Vugt"), ("van", "Ham"), ("van", "Bergen"),
    ("de", "Wilde"), ("de", "Kok"), ("de", "Heer"), ("de", "Witte"), ("de", "Rooij"),
    ("de", "Klerk"), ("de", "Waal"), ("de", "Zwart"), ("de", "Beer"), ("de", "Man"),
    ("de", "Ridder"), ("van", "Essen"), ("van", "Gils"), ("van", "Gestel"), ("van", "Hoof"),
    ("van", "Rooij"), ("de", "Kort"), ("van", "Riel"), ("van", "Alphen"), ("van", "Egmond"),
    ("van de", "Velde"), ("de", "Visser"), ("de", "Kam"), ("van", "Schaik"),
    ("van", "Wijngaarden"), ("van", "Zon"), ("van der", "Pluijm"), ("van den", "Hoek"),
    ("", "Bouma"), ("", "Wiersma"), ("", "Jongsma"), ("", "Sikkema"), ("", "Hiemstra"),
    ("", "Terpstra"), ("", "Zijlstra"), ("", "Kingma"), ("", "Osinga"), ("", "Faber"),
    ("", "Tolsma"), ("", "Smulders"), ("", "Aarts"), ("", "Kusters"), ("", "Pijnenburg"),
    ("", "Schellekens"), ("", "Rovers"), ("", "Heesakkers"), ("", "Swinkels"),
    ("", "Claassen"), ("", "Kessels"), ("", "Coenen"), ("", "Lemmens"), ("", "Cuypers"),
    ("", "Geurts"), ("", "Verstappen"), ("", "Thijssen"), ("", "Mathijssen"), ("", "Bressers"),
    ("", "Couwenberg"), ("", "Aaftink"), ("", "Nijhof"), ("", "Wolbers"), ("", "Eshuis"),
    ("", "Kamphuis"), ("", "Hulshof"), ("", "Nijenhuis"), ("", "Velthuis"), ("", "Stegeman"),
    ("", "Lansink"), ("", "Bruggink"), ("", "Leferink"), ("", "Olthof"), ("", "Oosterhuis"),
    ("", "Huizinga"), ("", "Oosting"), ("", "Dijkema"), ("", "Vonk"), ("", "Hoogland"),
    ("", "Kroon"), ("", "Zwaan"), ("", "Schaap"), ("", "Koopman"), ("", "Verschoor"),
    ("", "Groenewegen"), ("", "Verburg"), ("", "Kranenburg"), ("", "Vis"), ("", "Spaans"),
    ("", "Huijbregts"), ("", "Tol"), ("", "Buijs"), ("", "Ooms"), ("", "Minderhoud"),
    ("", "Verhage"), ("", "Louwerse"), ("", "Dieleman"), ("", "Wisse"), ("", "Kodde"),
    ("", "Sinke"), ("", "Hoogendoorn"), ("", "Kloosterman"), ("", "Wijnands"), ("", "Daniëls"),
    ("", "Israëls"), ("", "Oude Luttikhuis"), ("", "Tjeenk Willink"), ("", "Snouck Hurgronje"),
    ("", "Groen van Prinsterer"), ("", "Schimmelpenninck van der Oye"),
    ("", "Gualthérie van Weezel"), ("", "Dudok van Heel"),
)

_WEST_SURNAMES: tuple[tuple[str, str], ...] = (
    ("", "Müller"), ("", "Smith"), ("", "Peeters"), ("", "Janssens"), ("", "Schmidt"),
    ("", "Martin"), ("", "García"), ("", "Rossi"), ("", "Schneider"), ("", "Maes"),
    ("", "Jones"), ("", "Dubois"), ("", "Fischer"), ("", "Weber"), ("", "Brown"),
    ("", "Mertens"), ("", "Meyer"), ("", "Wagner"), ("", "Williams"), ("", "Bernard"),
    ("", "Russo"), ("", "Becker"), ("", "Schulz"), ("", "Hoffmann"), ("", "Schäfer"),
    ("", "Willems"), ("", "Claes"), ("", "Goossens"), ("", "Wouters"), ("", "De Smet"),
    ("", "Van Damme"), ("", "Taylor"), ("", "Davies"), ("", "Wilson"), ("", "Evans"),
    ("", "Koch"), ("", "Bauer"), ("", "Richter"), ("", "Schröder"), ("", "Krüger"),
    ("", "Zimmermann"), ("", "Köhler"), ("", "Petit"), ("", "Durand"), ("", "Leroy"),
    ("", "Moreau"), ("", "Laurent"), ("", "Lefèvre"), ("", "Dupont"), ("", "Rousseau"),
    ("", "Mercier"), ("", "Fernández"), ("", "González"), ("", "Rodríguez"), ("", "López"),
    ("", "Martínez"), ("", "Sánchez"), ("", "Pérez"), ("", "Ferrari"), ("", "Esposito"),
    ("", "Bianchi"), ("", "Romano"), ("", "Colombo"), ("", "Ricci"), ("", "De Luca"),
    ("", "Costa"), ("", "Jensen"), ("", "Nielsen"), ("", "Hansen"), ("", "Johansson"),
    ("", "Silva"), ("", "Santos"), ("", "Ferreira"), ("", "Gonçalves"), ("", "O'Brien"),
    ("", "Murphy"),
)

_TURKISH_SURNAMES: tuple[tuple[str, str], ...] = (
    ("", "Yılmaz"), ("", "Kaya"), ("", "Demir"), ("", "Şahin"), ("", "Çelik"), ("", "Yıldız"),
    ("", "Yıldırım"), ("", "Öztürk"), ("", "Aydın"), ("", "Özdemir"), ("", "Arslan"),
    ("", "Doğan"), ("", "Kılıç"), ("", "Aslan"), ("", "Çetin"), ("", "Kara"), ("", "Koç"),
    ("", "Kurt"), ("", "Özkan"), ("", "Şimşek"), ("", "Polat"), ("", "Özcan"), ("", "Korkmaz"),
    ("", "Çakır"), ("", "Erdoğan"), ("", "Yavuz"), ("", "Can"), ("", "Acar"), ("", "Şen"),
    ("", "Aktaş"), ("", "Güler"), ("", "Yalçın"), ("", "Güneş"), ("", "Bozkurt"),
    ("", "Bulut"), ("", "Keskin"), ("", "Ünal"), ("", "Turan"), ("", "Gül"), ("", "Özer"),
    ("", "Işık"), ("", "Kaplan"), ("", "Avcı"), ("", "Sarı"), ("", "Tekin"), ("", "Taş"),
    ("", "Kahraman"), ("", "Ateş"), ("", "Karaca"), ("", "Uçar"),
)

_MOROCCAN_SURNAMES: tuple[tuple[str, str], ...] = (
    ("", "El Amrani"), ("", "Bouzid"), ("", "Benali"), ("", "El Idrissi"), ("", "Ait Ben Said"),
    ("", "El Khattabi"), ("", "Boukhari"), ("", "El Ouali"), ("", "Azzouzi"), ("", "Bouali"),
    ("", "El Hamdaoui"), ("", "Amrani"), ("", "Benaissa"), ("", "Bakkali"),
    ("", "El Haddouchi"), ("", "Lahlou"), ("", "Tahiri"), ("", "Alaoui"), ("", "El Fassi"),
    ("", "Bennani"), ("", "Chahid"), ("", "Ouahabi"), ("", "El Hassani"), ("", "Abdellaoui"),
    ("", "El Bouazzati"), ("", "Mokhtari"), ("", "Hajji"), ("", "Belhaj"), ("", "Ait Taleb"),
    ("", "Ait Hammou"), ("", "Moussaoui"), ("", "Ben Haddou"), ("", "Ben Abdeslam"),
    ("", "Akrouh"), ("", "El Mourabit"), ("", "Bouhali"), ("", "Essafi"), ("", "Zaoui"),
    ("", "El Yaakoubi"), ("", "Kaddouri"), ("", "Bouazza"), ("", "Mansouri"),
    ("", "El Harchaoui"), ("", "Boujdi"),
)

_SURINAMESE_SURNAMES: tuple[tuple[str, str], ...] = (
    ("", "Ramdin"), ("", "Sewnath"), ("", "Pinas"), ("", "Wijngaarde"), ("", "Ramsaran"),
    ("", "Mahabier"), ("", "Jadnanansing"), ("", "Kromodimedjo"), ("", "Ramautar"),
    ("", "Bissessar"), ("", "Sewdien"), ("", "Jagessar"), ("", "Kalloe"), ("", "Soekhai"),
    ("", "Mohan"), ("", "Sital"), ("", "Ramlal"), ("", "Baldew"), ("", "Chotkan"),
    ("", "Lachmon"), ("", "Ramkisoen"), ("", "Bhagwandin"), ("", "Autar"), ("", "Sardjoe"),
    ("", "Doerga"), ("", "Zeefuik"), ("", "Sedney"), ("", "Doelwijt"), ("", "Kross"),
    ("", "Emanuelson"), ("", "Vlijter"), ("", "Linger"), ("", "Esajas"), ("", "Nijbroek"),
    ("", "Leefland"), ("", "Mijnals"), ("", "Aroma"), ("", "Kasanwirjo"),
    ("", "Kasanmoentalib"), ("", "Kromowidjojo"), ("", "Soemodihardjo"), ("", "Tjon-A-Fat"),
    ("", "Karsters"), ("", "Sanches"),
)

_POLISH_SURNAMES: tuple[tuple[str, str], ...] = (
    ("", "Nowak"), ("", "Kowalski"), ("", "Kowalska"), ("", "Wiśniewski"), ("", "Wiśniewska"),
    ("", "Wójcik"), ("", "Kowalczyk"), ("", "Kamiński"), ("", "Kamińska"),
    ("", "Lewandowski"), ("", "Lewandowska"), ("", "Zieliński"), ("", "Zielińska"),
    ("", "Szymański"), ("", "Szymańska"), ("", "Woźniak"), ("", "Dąbrowski"),
    ("", "Dąbrowska"), ("", "Kozłowski"), ("", "Kozłowska"), ("", "Jankowski"), ("", "Mazur"),
    ("", "Kwiatkowski"), ("", "Krawczyk"), ("", "Piotrowski"), ("", "Grabowski"),
    ("", "Nowakowski"), ("", "Pawłowski"), ("", "Michalski"), ("", "Nowicki"),
    ("", "Adamczyk"), ("", "Dudek"), ("", "Zając"), ("", "Wieczorek"), ("", "Jabłoński"),
    ("", "Król"), ("", "Majewski"), ("", "Olszewski"), ("", "Jaworski"), ("", "Wróbel"),
    ("", "Malinowski"), ("", "Pawlak"), ("", "Witkowski"), ("", "Walczak"), ("", "Stępień"),
    ("", "Górski"), ("", "Sikora"), ("", "Baran"), ("", "Szewczyk"), ("", "Włodarczyk"),
)

_SYRIAN_SURNAMES: tuple[tuple[str, str], ...] = (
    ("", "Al-Hassan"), ("", "Haddad"), ("", "Khalil"), ("", "Mansour"), ("", "Al-Khatib"),
    ("", "Al-Ahmad"), ("", "Al-Ali"), ("", "Hamdan"), ("", "Saleh"), ("", "Ibrahim"),
    ("", "Hussein"), ("", "Youssef"), ("", "Darwish"), ("", "Al-Masri"), ("", "Al-Halabi"),
    ("", "Al-Shami"), ("", "Kassab"), ("", "Al-Hamwi"), ("", "Sabbagh"), ("", "Nasser"),
    ("", "Issa"), ("", "Qassem"), ("", "Abboud"), ("", "Al-Homsi"), ("", "Al-Rifai"),
    ("", "Jaber"), ("", "Khoury"), ("", "Hamoud"), ("", "Al-Kurdi"), ("", "Mahmoud"),
    ("", "Suleiman"), ("", "Al-Omar"), ("", "Al-Hussein"), ("", "Hamada"), ("", "Bakri"),
    ("", "Al-Zoubi"), ("", "Shehadeh"), ("", "Haj Ali"), ("", "Attar"), ("", "Al-Jasem"),
    ("", "Hallak"), ("", "Mardini"), ("", "Najjar"), ("", "Shaaban"), ("", "Mustafa"),
)

_INDONESIAN_SURNAMES: tuple[tuple[str, str], ...] = (
    ("", "Latuheru"), ("", "Pattiasina"), ("", "Soumokil"), ("", "Tahapary"),
    ("", "Wattimena"), ("", "Sahetapy"), ("", "Latumahina"), ("", "Manuputty"),
    ("", "Pattinama"), ("", "Tuhumury"), ("", "Lewerissa"), ("", "Manusama"),
    ("", "Pelupessy"), ("", "Leiwakabessy"), ("", "Nanlohy"), ("", "Ririmasse"),
    ("", "Sapulette"), ("", "Siahaya"), ("", "Sopacua"), ("", "Tomasoa"), ("", "Tehupeiory"),
    ("", "Kakiay"), ("", "Lekatompessy"), ("", "Matulessy"), ("", "Noya"), ("", "Latuny"),
    ("", "Pattipeilohy"), ("", "Ralahalu"), ("", "Huwae"), ("", "Tupamahu"),
    ("", "Hitipeuw"), ("", "Setiawan"), ("", "Santoso"), ("", "Wijaya"), ("", "Kusuma"),
    ("", "Hartono"), ("", "Gunawan"), ("", "Suryadi"), ("", "Pranoto"), ("", "Halim"),
    ("", "Tan"), ("", "Lim"), ("", "Sastrowardoyo"),
)

# ---------------------------------------------------------------------------------------------
# Streets and places
# ---------------------------------------------------------------------------------------------

STREET_STEMS: tuple[str, ...] = (
    # trees and shrubs
    "Eiken", "Berken", "Beuken", "Linden", "Essen", "Iepen", "Wilgen", "Populieren",
    "Kastanje", "Platanen", "Acacia", "Elzen", "Hazelaar", "Lijsterbes", "Meidoorn", "Vlier",
    "Taxus", "Dennen", "Sparren", "Lariks", "Ceder", "Esdoorn", "Walnoot", "Kersen", "Appel",
    "Peren", "Pruimen", "Hulst", "Jeneverbes", "Olmen", "Abeel",
    # flowers and plants
    "Rozen", "Tulpen", "Narcissen", "Hyacinten", "Anjer", "Lelie", "Lavendel", "Klaver",
    "Madelief", "Boterbloem", "Korenbloem", "Zonnebloem", "Viooltjes", "Margriet", "Goudsbloem",
    "Klaproos", "Sering", "Jasmijn", "Hortensia", "Primula", "Krokus", "Dahlia", "Aster",
    "Heide", "Brem", "Distel", "Varen", "Riet", "Kamille",
    # birds
    "Merel", "Lijster", "Spreeuwen", "Koolmees", "Vinken", "Zwaluw", "Leeuwerik", "Nachtegaal",
    "Kievit", "Grutto", "Wielewaal", "Roodborst", "Winterkoning", "Specht", "Uilen", "Valken",
    "Buizerd", "Havik", "Reiger", "Ooievaar", "Zwanen", "Kraanvogel", "Fazant", "Patrijs",
    "Kwartel", "Tureluur", "Scholekster", "Meeuwen", "Duiven", "Ekster", "Sperwer", "Putter",
    "Sijs", "Goudvink", "IJsvogel", "Kwikstaart",
    # painters
    "Rembrandt", "Vermeer", "Frans Hals", "Van Gogh", "Mondriaan", "Jan Steen", "Ruysdael",
    "Hobbema", "Breitner", "Jongkind", "Mesdag", "Israëls", "Paulus Potter", "Cuyp",
    "Jeroen Bosch", "Van Ostade", "Toorop",
    # writers, scholars and other notables
    "Vondel", "Bilderdijk", "Multatuli", "Hooft", "Bredero", "Huygens", "Jacob Cats", "Tollens",
    "Da Costa", "Potgieter", "Gezelle", "Couperus", "Heijermans", "Van Lennep", "Beets",
    "Staring", "De Génestet", "Kloos", "Gorter", "Vestdijk", "Slauerhoff", "Marsman", "Nescio",
    "Bordewijk", "Lorentz", "Erasmus", "Spinoza", "De Ruyter", "Tromp", "Piet Hein",
    "Van Speijk", "Oranje", "Nassau", "Thorbecke", "Troelstra", "Schaepman",
    # professions and village life
    "Molen", "Kerk", "Smids", "Koster", "Bakkers", "Brouwers", "Wevers", "Schippers",
    "Vissers", "Timmermans", "Slagers", "Schoenmakers", "Kleermakers", "Pottenbakkers",
    "Touwslagers", "Kuipers", "Schilders", "Metselaars", "Pastoor", "Dominee", "School",
    "Klooster", "Kasteel", "Slot", "Poort", "Haven", "Sluis", "Markt", "Dorps", "Stations",
    # old farms, fields and landscape
    "Hoeve", "Kamp", "Esch", "Brink", "Meer", "Venne", "Bosch", "Heuvel", "Beemd", "Donk",
    "Goor", "Horst", "Hooiberg", "Schaapskooi", "Boomgaard", "Wei", "Zand", "Broek", "Loo",
    # rivers and islands
    "Maas", "Rijn", "Waal", "IJssel", "Dommel", "Dinkel", "Amstel", "Vecht", "Schelde", "Texel",
    "Vlieland", "Ameland",
)

STREET_SUFFIXES: tuple[str, ...] = (
    "straat", "laan", "weg", "plein", "hof", "dreef", "singel", "pad", "erf", "kade", "gracht",
    "ring", "akker", "veld", "dijk",
)

GEMEENTENAMEN: dict[str, str] = {
    "GM0784": "Gilze en Rijen",
    "GM0363": "Amsterdam",
    "GM0599": "Rotterdam",
    "GM0518": "'s-Gravenhage",
    "GM0344": "Utrecht",
    "GM0855": "Tilburg",
    "GM0758": "Breda",
    "GM0153": "Enschede",
    "GM0503": "Delft",
    "GM0014": "Groningen",
    "GM0796": "'s-Hertogenbosch",
    "GM0772": "Eindhoven",
    "GM0202": "Arnhem",
    "GM0268": "Nijmegen",
    "GM0935": "Maastricht",
    "GM0193": "Zwolle",
    "GM0080": "Leeuwarden",
    "GM0785": "Goirle",
    "GM0826": "Oosterhout",
    "GM0766": "Dongen",
    "GM0798": "Hilvarenbeek",
}

WOONPLAATSEN: dict[str, tuple[str, ...]] = {
    "GM0784": ("Rijen", "Gilze", "Molenschot", "Hulten"),
    "GM0363": ("Amsterdam", "Weesp"),
    "GM0599": ("Rotterdam", "Hoek van Holland", "Rozenburg"),
    "GM0518": ("'s-Gravenhage",),
    "GM0344": ("Utrecht", "De Meern", "Vleuten", "Haarzuilens"),
    "GM0855": ("Tilburg", "Berkel-Enschot", "Udenhout"),
    "GM0758": ("Breda", "Prinsenbeek", "Teteringen", "Ulvenhout", "Bavel"),
    "GM0153": ("Enschede", "Boekelo", "Lonneker", "Usselo"),
    "GM0503": ("Delft",),
    "GM0014": ("Groningen", "Haren", "Ten Boer", "Glimmen", "Noordlaren", "Garmerwolde",
               "Thesinge", "Ten Post", "Woltersum"),
    "GM0796": ("'s-Hertogenbosch", "Rosmalen", "Nuland", "Vinkel"),
    "GM0772": ("Eindhoven",),
    "GM0202": ("Arnhem",),
    "GM0268": ("Nijmegen",),
    "GM0935": ("Maastricht",),
    "GM0193": ("Zwolle",),
    "GM0080": ("Leeuwarden", "Stiens", "Grou", "Goutum", "Wirdum"),
    "GM0785": ("Goirle", "Riel"),
    "GM0826": ("Oosterhout", "Dorst", "Oosteind", "Den Hout"),
    "GM0766": ("Dongen", "'s Gravenmoer"),
    "GM0798": ("Hilvarenbeek", "Diessen", "Esbeek", "Haghorst", "Biest-Houtakker"),
}

GENERIC_WOONPLAATSEN: tuple[str, ...] = (
    "Oosterveen", "Hoogeloon-Noord", "Lindewijk", "Beekzande", "Eikenrode", "Molenbroek",
    "Zuiderdijk", "Heidemond", "Nieuw-Akkerveld", "Rietkerk", "Kleinbergen", "Grootloo",
    "Wielsum", "Brakelveen", "Sluiswijk", "Ter Aalst", "Sonnevelde", "Ossenbroek", "Hoeksteen",
    "Valkenrode", "Lichtenweerd", "Esschewoud", "Bosschenhoven", "Duinhoeve", "Kraaiendijk",
    "Polderwijk", "Vinkenhoek", "Reigersveld", "Hulstbroek", "Berkeldonk", "Schaapsdrift",
    "Kerkenveld", "Hondsloo", "Dennenburg", "Oud-Wilgenburg", "Westerkolk",
)

# fmt: on

COUNTRY_OF_BIRTH: dict[str, tuple[str, ...]] = {
    "nl": ("Nederland",),
    "west": (
        "Duitsland",
        "België",
        "Verenigd Koninkrijk",
        "Frankrijk",
        "Spanje",
        "Italië",
        "Portugal",
        "Denemarken",
        "Zweden",
        "Oostenrijk",
        "Ierland",
    ),
    "turkish": ("Turkije",),
    "moroccan": ("Marokko",),
    "surinamese": ("Suriname",),
    "polish": ("Polen",),
    "syrian": ("Syrië",),
    "indonesian": ("Indonesië",),
}

MIGRATION_BACKGROUND: dict[str, str] = {
    "nl": "geen",
    "west": "westers",
    "turkish": "niet-westers",
    "moroccan": "niet-westers",
    "surinamese": "niet-westers",
    "polish": "westers",
    "syrian": "niet-westers",
    "indonesian": "westers",  # CBS counts Indonesia as westers
}

FIRST_NAMES_MALE: dict[str, tuple[str, ...]] = {
    "nl": _NL_MALE,
    "west": _WEST_MALE,
    "turkish": _TURKISH_MALE,
    "moroccan": _MOROCCAN_MALE,
    "surinamese": _SURINAMESE_MALE,
    "polish": _POLISH_MALE,
    "syrian": _SYRIAN_MALE,
    "indonesian": _INDONESIAN_MALE,
}

FIRST_NAMES_FEMALE: dict[str, tuple[str, ...]] = {
    "nl": _NL_FEMALE,
    "west": _WEST_FEMALE,
    "turkish": _TURKISH_FEMALE,
    "moroccan": _MOROCCAN_FEMALE,
    "surinamese": _SURINAMESE_FEMALE,
    "polish": _POLISH_FEMALE,
    "syrian": _SYRIAN_FEMALE,
    "indonesian": _INDONESIAN_FEMALE,
}

SURNAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "nl": _NL_SURNAMES,
    "west": _WEST_SURNAMES,
    "turkish": _TURKISH_SURNAMES,
    "moroccan": _MOROCCAN_SURNAMES,
    "surinamese": _SURINAMESE_SURNAMES,
    "polish": _POLISH_SURNAMES,
    "syrian": _SYRIAN_SURNAMES,
    "indonesian": _INDONESIAN_SURNAMES,
}


def _zipf(count: int, offset: float, exponent: float) -> tuple[float, ...]:
    """Weights ``1 / (rank + offset) ** exponent`` for ranks 0..count-1, rounded for display.

    A larger offset flattens the head (the most common name is not many times more common than
    the tenth); a larger exponent makes the tail thinner.
    """
    return tuple(round(1000.0 / (rank + offset) ** exponent, 4) for rank in range(count))


# Surnames: with offset 10 the 10th name (Meijer) has about half the weight of the first
# (de Jong), roughly as in the Netherlands. First names are spread more evenly over generations.
SURNAME_WEIGHTS: dict[str, tuple[float, ...]] = {
    origin: _zipf(len(SURNAMES[origin]), offset=10.0, exponent=1.0) for origin in ORIGINS
}
FIRST_NAME_WEIGHTS_MALE: dict[str, tuple[float, ...]] = {
    origin: _zipf(len(FIRST_NAMES_MALE[origin]), offset=6.0, exponent=0.8) for origin in ORIGINS
}
FIRST_NAME_WEIGHTS_FEMALE: dict[str, tuple[float, ...]] = {
    origin: _zipf(len(FIRST_NAMES_FEMALE[origin]), offset=6.0, exponent=0.8) for origin in ORIGINS
}

_MIN_FIRST_NAMES = {"nl": 120}
_MIN_SURNAMES = {"nl": 200}
_MIN_FIRST_NAMES_OTHER = 30
_MIN_SURNAMES_OTHER = 40
_VOORVOEGSELS = frozenset(
    {
        "",
        "de",
        "den",
        "van",
        "van de",
        "van den",
        "van der",
        "van 't",
        "ter",
        "ten",
        "te",
        "'t",
        "in 't",
        "in de",
        "op de",
        "op den",
        "op 't",
        "uit den",
    }
)
_GEMEENTECODE = re.compile(r"GM\d{4}")


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _check_strings(label: str, values: Iterable[str], minimum: int = 1) -> None:
    items = tuple(values)
    _check(len(items) >= minimum, f"{label}: {len(items)} entries, expected >= {minimum}")
    _check(len(set(items)) == len(items), f"{label}: duplicates {_duplicates(items)}")
    for value in items:
        _check(bool(value) and value == value.strip(), f"{label}: bad value {value!r}")
        _check("  " not in value, f"{label}: double space in {value!r}")
        _check(unicodedata.is_normalized("NFC", value), f"{label}: not NFC: {value!r}")


def _duplicates(items: tuple[str, ...]) -> list[str]:
    seen: set[str] = set()
    repeated: set[str] = set()
    for item in items:
        if item in seen:
            repeated.add(item)
        seen.add(item)
    return sorted(repeated)


def _check_keys(label: str, mapping: Mapping[str, object]) -> None:
    _check(tuple(mapping) == ORIGINS, f"{label}: keys {tuple(mapping)} differ from ORIGINS")


def _check_weights(label: str, weights: tuple[float, ...], expected: int) -> None:
    _check(len(weights) == expected, f"{label}: {len(weights)} weights for {expected} names")
    _check(
        all(math.isfinite(w) and w > 0 for w in weights),
        f"{label}: weights must be positive and finite",
    )


def check_lists() -> None:
    """Raise AssertionError if a list is empty, has duplicates, or its weights do not match."""
    _check_strings("ORIGINS", ORIGINS)
    for label, mapping in (
        ("FIRST_NAMES_MALE", FIRST_NAMES_MALE),
        ("FIRST_NAMES_FEMALE", FIRST_NAMES_FEMALE),
        ("SURNAMES", SURNAMES),
        ("SURNAME_WEIGHTS", SURNAME_WEIGHTS),
        ("FIRST_NAME_WEIGHTS_MALE", FIRST_NAME_WEIGHTS_MALE),
        ("FIRST_NAME_WEIGHTS_FEMALE", FIRST_NAME_WEIGHTS_FEMALE),
        ("COUNTRY_OF_BIRTH", COUNTRY_OF_BIRTH),
        ("MIGRATION_BACKGROUND", MIGRATION_BACKGROUND),
    ):
        _check_keys(label, mapping)

    for origin in ORIGINS:
        first_min = _MIN_FIRST_NAMES.get(origin, _MIN_FIRST_NAMES_OTHER)
        surname_min = _MIN_SURNAMES.get(origin, _MIN_SURNAMES_OTHER)
        male, female = FIRST_NAMES_MALE[origin], FIRST_NAMES_FEMALE[origin]
        _check_strings(f"FIRST_NAMES_MALE[{origin}]", male, first_min)
        _check_strings(f"FIRST_NAMES_FEMALE[{origin}]", female, first_min)
        _check_weights(
            f"FIRST_NAME_WEIGHTS_MALE[{origin}]", FIRST_NAME_WEIGHTS_MALE[origin], len(male)
        )
        _check_weights(
            f"FIRST_NAME_WEIGHTS_FEMALE[{origin}]", FIRST_NAME_WEIGHTS_FEMALE[origin], len(female)
        )

        surnames = SURNAMES[origin]
        full = tuple(f"{prefix} {name}".strip() for prefix, name in surnames)
        _check_strings(f"SURNAMES[{origin}]", full, surname_min)
        for prefix, name in surnames:
            _check(prefix in _VOORVOEGSELS, f"SURNAMES[{origin}]: voorvoegsel {prefix!r}")
            _check(unicodedata.is_normalized("NFC", prefix), f"SURNAMES[{origin}]: {prefix!r}")
            _check(name[0].isupper(), f"SURNAMES[{origin}]: {name!r} must start uppercase")
            _check(prefix == "" or origin == "nl", f"SURNAMES[{origin}]: voorvoegsel outside nl")
        _check_weights(f"SURNAME_WEIGHTS[{origin}]", SURNAME_WEIGHTS[origin], len(surnames))

        _check_strings(f"COUNTRY_OF_BIRTH[{origin}]", COUNTRY_OF_BIRTH[origin])
        _check(
            MIGRATION_BACKGROUND[origin] in {"geen", "westers", "niet-westers"},
            f"MIGRATION_BACKGROUND[{origin}]: {MIGRATION_BACKGROUND[origin]!r}",
        )

    _check_strings("STREET_STEMS", STREET_STEMS, 150)
    _check_strings("STREET_SUFFIXES", STREET_SUFFIXES, 15)
    _check_strings("GENERIC_WOONPLAATSEN", GENERIC_WOONPLAATSEN, 30)
    _check(set(WOONPLAATSEN) == set(GEMEENTENAMEN), "WOONPLAATSEN and GEMEENTENAMEN keys differ")
    _check("GM0784" in WOONPLAATSEN, "WOONPLAATSEN: GM0784 (Gilze en Rijen) missing")
    for code, places in WOONPLAATSEN.items():
        _check(_GEMEENTECODE.fullmatch(code) is not None, f"bad gemeentecode {code!r}")
        _check_strings(f"WOONPLAATSEN[{code}]", places)
        _check_strings(f"GEMEENTENAMEN[{code}]", (GEMEENTENAMEN[code],))
